using System.Buffers;
using System.Collections.Concurrent;
using Edge.Domain.Messaging;
using Microsoft.Extensions.Logging;

namespace Edge.Trainer.Live.Commissioning;

/// <summary>
/// The agents the broker knows, from their retained <c>status</c> messages: subscribed to every device's status, it
/// keeps the newest one of each (at most <see cref="MaxAgents"/>), so the trainer learns of an agent the moment it
/// first appears, and of its part (the device id), system and running version. Reconnects on its own.
/// </summary>
public sealed partial class AgentDirectory : IAsyncDisposable
{
    /// <summary>Most agents remembered; the statuses of more are not kept (memory stays bounded).</summary>
    public const int MaxAgents = 10_000;

    private readonly ILogger _logger;
    private readonly TopicWatch _watch;
    private readonly ConcurrentDictionary<string, StatusMessage> _agents = new(StringComparer.Ordinal);

    /// <summary>Creates the directory on <paramref name="broker"/> (not connected until <see cref="Start"/>).</summary>
    public AgentDirectory(BrokerOptions broker, ILogger logger)
    {
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _watch = new TopicWatch("Agent directory", broker, [EdgeTopics.AllDevices(TopicKind.Status)], Observe, logger);
    }

    /// <summary>True while connected and subscribed.</summary>
    public bool IsConnected => _watch.IsConnected;

    /// <summary>The newest status of each agent seen, by device id.</summary>
    public IReadOnlyDictionary<string, StatusMessage> Agents => _agents;

    /// <summary>Starts connecting (and reconnecting) in the background.</summary>
    public void Start() => _watch.Start();

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _watch.DisposeAsync();

    private void Observe(string topic, ReadOnlySequence<byte> payload)
    {
        try
        {
            if (EdgeTopics.Parse(topic, out var deviceId) != TopicKind.Status || payload.IsEmpty)
            {
                return;
            }

            var status = ControlJson.Parse(payload.ToArray(), MessagingJsonContext.Default.StatusMessage);
            // A status naming another device than its topic is not believed (identities are per certificate).
            if (status.DeviceId != deviceId)
            {
                LogMismatch(topic, status.DeviceId);
                return;
            }

            if (_agents.Count < MaxAgents || _agents.ContainsKey(deviceId))
            {
                _agents[deviceId] = status;
            }
        }
        catch (Exception e) when (e is MessageFormatException or ArgumentException)
        {
            LogUnreadable(topic, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Agent directory: status on {Topic} names '{Device}'; ignored")]
    private partial void LogMismatch(string topic, string device);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Agent directory: unreadable status on {Topic}: {Problem}")]
    private partial void LogUnreadable(string topic, string problem);
}
