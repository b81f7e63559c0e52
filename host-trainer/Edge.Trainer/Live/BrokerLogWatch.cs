using System.Buffers;
using System.Text;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace Edge.Trainer.Live;

/// <summary>
/// Reads the broker's own error log over MQTT (mosquitto's <c>log_dest topic</c>: every error line on
/// <c>$SYS/broker/log/E</c>, which the shipped configuration publishes and lets the trainer read) and makes a broker
/// that cannot write its disk visible: <c>edge_trainer_broker_errors_total{kind="disk"}</c>, the time of the last
/// such error, and a warning in the trainer's log. Without it a full disk under the broker shows only in the
/// broker's own log, while every autosave of its persistence file fails and what it holds for an absent trainer
/// lives in its memory alone.
/// </summary>
public sealed partial class BrokerLogWatch : IAsyncDisposable
{
    /// <summary>The topic mosquitto publishes its error lines on.</summary>
    public const string ErrorTopic = "$SYS/broker/log/E";

    /// <summary>A log line is short; anything beyond this is not read.</summary>
    private const int MaxLineBytes = 512;

    /// <summary>
    /// The system errors (strerror texts, as mosquitto writes them after a failed write) that mean the broker's disk
    /// refuses its writes: full, over quota, read-only or failing.
    /// </summary>
    private static readonly string[] DiskErrors =
        ["No space left on device", "Disk quota exceeded", "Read-only file system", "Input/output error",
            "Error saving in-memory database"];

    private static readonly TimeSpan WarnEvery = TimeSpan.FromMinutes(1);

    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TopicWatch _watch;
    private readonly Counter _errors;
    private readonly Gauge _lastDiskError;
    private readonly Lock _gate = new();
    private DateTimeOffset _warned = DateTimeOffset.MinValue;
    private long _unwarned;

    /// <summary>Creates the watch with its metrics in <paramref name="metrics"/>' registry; <see cref="Start"/>
    /// connects.</summary>
    public BrokerLogWatch(BrokerOptions broker, TrainerMetrics metrics, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(broker);
        ArgumentNullException.ThrowIfNull(metrics);
        broker.EnsureValid();
        (_time, _logger) = (time ?? throw new ArgumentNullException(nameof(time)), logger);
        var factory = Metrics.WithCustomRegistry(metrics.Registry);
        _errors = factory.CreateCounter(
            "edge_trainer_broker_errors_total",
            "Error lines of the broker's own log ($SYS/broker/log/E), by kind: disk (it cannot write its "
                + "persistence file: full, read-only, failing) or other.",
            new CounterConfiguration { LabelNames = ["kind"] });
        _lastDiskError = factory.CreateGauge(
            "edge_trainer_broker_disk_error_timestamp_seconds",
            "Unix time of the broker's last disk error (0: none seen since the trainer started).");
        // Present from the start at 0, so an alert on their increase sees the first error.
        _errors.WithLabels("disk");
        _errors.WithLabels("other");
        _watch = new TopicWatch(
            "Broker log watch", broker with { ClientId = broker.ClientId + "-broker-log" }, [ErrorTopic], Observe,
            logger);
    }

    /// <summary>True while connected and subscribed to the broker's error log.</summary>
    public bool IsConnected => _watch.IsConnected;

    /// <summary>Starts connecting (and reconnecting after a broker outage) in the background.</summary>
    public void Start() => _watch.Start();

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _watch.DisposeAsync();

    /// <summary>True when <paramref name="line"/> (one broker error line) says the broker's disk refused a write.
    /// </summary>
    public static bool IsDiskError(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        return DiskErrors.Any(e => line.Contains(e, StringComparison.Ordinal));
    }

    private void Observe(string topic, ReadOnlySequence<byte> payload)
    {
        if (topic != ErrorTopic)
        {
            return;
        }

        var bytes = payload.Length > MaxLineBytes ? payload.Slice(0, MaxLineBytes) : payload;
        var line = Encoding.UTF8.GetString(bytes).Trim();
        if (!IsDiskError(line))
        {
            _errors.WithLabels("other").Inc();
            return;
        }

        _errors.WithLabels("disk").Inc();
        var now = _time.GetUtcNow();
        _lastDiskError.Set(now.ToUnixTimeMilliseconds() / 1000.0);
        long count;
        lock (_gate)
        {
            _unwarned++;
            if (now - _warned < WarnEvery)
            {
                return;
            }

            (count, _unwarned, _warned) = (_unwarned, 0, now);
        }

        LogDiskError(_logger, line, count);
    }

    [LoggerMessage(
        Level = LogLevel.Warning,
        Message = "The broker cannot write its disk: \"{Line}\" ({Count} such errors since the last warning). Its "
            + "autosave fails, so what it holds for absent clients lives only in its memory until space returns; "
            + "the agents keep every measurement until this trainer acknowledges it")]
    private static partial void LogDiskError(ILogger logger, string line, long count);
}
