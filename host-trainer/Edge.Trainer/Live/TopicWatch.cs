using System.Buffers;
using Edge.Domain.Timing;
using Edge.Mqtt;
using Microsoft.Extensions.Logging;
using MQTTnet;

namespace Edge.Trainer.Live;

/// <summary>
/// A clean-session subscription that keeps itself connected: it connects, subscribes to its topic filters and hands
/// every message to its observer; after a broker outage it reconnects with exponential backoff. What the trainer's
/// read-only watchers (model versions, the agent directory) share.
/// </summary>
public sealed partial class TopicWatch : IAsyncDisposable
{
    private readonly string _name;
    private readonly BrokerOptions _broker;
    private readonly IReadOnlyList<string> _filters;
    private readonly ILogger _logger;
    private readonly IMqttClient _client;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private volatile bool _subscribed;

    /// <summary>
    /// Creates the watch named <paramref name="name"/> (in its logs) on <paramref name="broker"/>; nothing connects
    /// until <see cref="Start"/>. <paramref name="observe"/> runs on MQTTnet's receive path: keep it short.
    /// </summary>
    public TopicWatch(
        string name,
        BrokerOptions broker,
        IReadOnlyList<string> filters,
        Action<string, ReadOnlySequence<byte>> observe,
        ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(observe);
        ArgumentOutOfRangeException.ThrowIfZero(filters?.Count ?? 0, nameof(filters));
        _name = name ?? throw new ArgumentNullException(nameof(name));
        _broker = broker ?? throw new ArgumentNullException(nameof(broker));
        _filters = filters!;
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _client = new MqttClientFactory().CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += e =>
        {
            observe(e.ApplicationMessage.Topic, e.ApplicationMessage.Payload);
            return Task.CompletedTask;
        };
    }

    /// <summary>True while connected and subscribed.</summary>
    public bool IsConnected => _client.IsConnected && _subscribed;

    /// <summary>Starts connecting (and reconnecting after a broker outage) in the background.</summary>
    public void Start() => _loop ??= Task.Run(() => RunAsync(_stop.Token));

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        await _client.DisconnectAndDisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private Task RunAsync(CancellationToken cancellationToken)
    {
        var loop = new MqttReconnectLoop(
            OpenAsync,
            ct => MqttReconnectLoop.WhileConnectedAsync(_client, TimeSpan.FromMilliseconds(200), null, null, ct),
            new ExponentialBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10), jitter: 0.5));

        // An outage only pauses what the watch feeds; keep trying.
        loop.SessionLost += e => LogConnectFailed(_name, _broker.Host, _broker.Port, e.Message);
        return loop.RunAsync(cancellationToken);
    }

    private async Task OpenAsync(CancellationToken cancellationToken)
    {
        _subscribed = false;
        var options = _broker.ToClientOptions(cleanStart: true, sessionExpirySeconds: 0);
        await _client.ConnectAsync(options, cancellationToken).ConfigureAwait(false);
        // A refused filter (the broker's ACL) would leave a watch that looks connected and never hears anything.
        await MqttReconnectLoop.SubscribeOrCloseAsync(_client, _filters, cancellationToken).ConfigureAwait(false);

        _subscribed = true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Watch} cannot reach {Host}:{Port}: {Reason}; retrying")]
    private partial void LogConnectFailed(string watch, string host, int port, string reason);
}
