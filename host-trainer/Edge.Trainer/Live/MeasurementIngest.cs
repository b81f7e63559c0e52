using System.Buffers;
using Edge.Domain.Messaging;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Protocol;

namespace Edge.Trainer.Live;

/// <summary>
/// Subscribes to every agent's <c>measurements</c> topic (QoS 1, persistent session) and stores each batch in the
/// <see cref="MeasurementStore"/> before acknowledging it, so a batch is either stored or redelivered; ids make
/// redeliveries harmless. Malformed batches are logged and counted, never stored. Reconnects with backoff.
/// </summary>
public sealed partial class MeasurementIngest : IAsyncDisposable
{
    private readonly BrokerOptions _broker;
    private readonly MeasurementStore _store;
    private readonly TrainerMetrics _metrics;
    private readonly ILogger _logger;
    private readonly IMqttClient _client;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private long _ingested;
    private long _duplicates;
    private long _rejected;

    /// <summary>Creates the ingest; <see cref="Start"/> connects.</summary>
    public MeasurementIngest(BrokerOptions broker, MeasurementStore store, TrainerMetrics metrics, ILogger logger)
    {
        (_broker, _store, _metrics, _logger) = (broker, store, metrics, logger);
        _client = new MqttClientFactory().CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += OnMessageAsync;
    }

    /// <summary>True while connected to the broker.</summary>
    public bool IsConnected => _client.IsConnected;

    /// <summary>Measurements stored so far.</summary>
    public long Ingested => Interlocked.Read(ref _ingested);

    /// <summary>Redelivered measurements dropped so far.</summary>
    public long Duplicates => Interlocked.Read(ref _duplicates);

    /// <summary>Malformed messages so far.</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>Starts connecting (and reconnecting) in the background.</summary>
    public void Start() => _loop ??= Task.Run(() => RunAsync(_stop.Token));

    /// <summary>Waits until the first connection and subscription are in place.</summary>
    public async Task WaitConnectedAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        while (!_client.IsConnected || !_subscribed)
        {
            await Task.Delay(10, deadline.Token).ConfigureAwait(false);
        }
    }

    private volatile bool _subscribed;

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        if (_client.IsConnected)
        {
            try
            {
                await _client.DisconnectAsync().ConfigureAwait(false);
            }
            catch (MqttCommunicationException)
            {
                // Gone already.
            }
        }

        _client.Dispose();
        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var attempt = 0;
        var everConnected = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (!_client.IsConnected)
                {
                    _subscribed = false;
                    await _client.ConnectAsync(_broker.ToClientOptions(cleanStart: false, sessionExpirySeconds: 24 * 3600), cancellationToken).ConfigureAwait(false);
                    await _client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(EdgeTopics.AllDevices(TopicKind.Measurements), MqttQualityOfServiceLevel.AtLeastOnce).Build(), cancellationToken).ConfigureAwait(false);
                    _subscribed = true;
                    if (everConnected)
                    {
                        _metrics.Reconnects.Inc();
                    }

                    everConnected = true;
                    attempt = 0;
                    LogConnected(_logger, _broker.Host, _broker.Port);
                }

                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
                continue;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // Whatever the broker or the network did, the ingest keeps trying: it must outlive outages.
                LogConnectFailed(_logger, _broker.Host, _broker.Port, e.Message);
            }

            var delay = Math.Min(10_000, 100 * (1 << Math.Min(attempt++, 7))) * (0.5 + (Random.Shared.NextDouble() / 2));
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(delay), cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        var topic = e.ApplicationMessage.Topic;
        if (EdgeTopics.Parse(topic, out var deviceId) != TopicKind.Measurements)
        {
            Reject(topic, "not a measurements topic");
            return;
        }

        MeasurementBatch batch;
        try
        {
            var payload = e.ApplicationMessage.Payload;
            batch = MeasurementBatch.Decode(payload.IsSingleSegment ? payload.FirstSpan : payload.ToArray());
        }
        catch (MessageFormatException ex)
        {
            Reject(topic, ex.Message);
            return;
        }

        // Stored before the handler returns, i.e. before MQTTnet sends PUBACK: a crash here means redelivery, not loss.
        var added = await _store.AddAsync(deviceId, batch, _stop.Token).ConfigureAwait(false);
        Interlocked.Add(ref _ingested, added);
        Interlocked.Add(ref _duplicates, batch.Count - added);
        _metrics.Ingested.Inc(added);
        _metrics.Duplicates.Inc(batch.Count - added);
    }

    private void Reject(string topic, string problem)
    {
        Interlocked.Increment(ref _rejected);
        _metrics.Rejected.Inc();
        LogRejected(_logger, topic, problem);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Ingest connected to {Host}:{Port}")]
    private static partial void LogConnected(ILogger logger, string host, int port);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ingest cannot reach {Host}:{Port}: {Reason}")]
    private static partial void LogConnectFailed(ILogger logger, string host, int port, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ingest rejected a message on {Topic}: {Problem}")]
    private static partial void LogRejected(ILogger logger, string topic, string problem);
}
