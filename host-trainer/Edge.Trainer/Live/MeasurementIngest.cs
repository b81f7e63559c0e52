using System.Buffers;
using System.Threading.Channels;
using Edge.Domain.Messaging;
using Edge.Domain.Timing;
using Edge.Mqtt;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Protocol;

namespace Edge.Trainer.Live;

/// <summary>
/// Subscribes to every agent's <c>measurements</c> topic (QoS 1, persistent session) and stores each batch in the
/// <see cref="MeasurementStore"/> before acknowledging it, so a batch is either stored or redelivered; ids make
/// redeliveries harmless. Decoding and storing overlap: received batches queue (bounded) for one writer that stores
/// whatever has arrived in one transaction (group commit: one fsync for many batches), then tells each agent which of
/// its batches are stored on <c>edge/v1/{device}/measurements/ack</c> (by their <c>msg-id</c>; the agent deletes them
/// from its outbox only then) and sends the PUBACKs in arrival order. When the store fails nothing of the group is
/// acknowledged: the ingest drops the connection and
/// reconnects only once the store answers again, and the broker redelivers. Malformed batches are logged and counted,
/// never stored. Reconnects with backoff.
/// </summary>
public sealed partial class MeasurementIngest : IAsyncDisposable
{
    /// <summary>Longest wait for a PUBACK of a stored batch to be sent before the connection is taken as
    /// gone.</summary>
    private static readonly TimeSpan PubackTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Most measurements stored in one transaction; bounds memory and the delay before the
    /// acknowledgements.</summary>
    private const int MaxGroupMeasurements = 32_768;

    private readonly BrokerOptions _broker;
    private readonly MeasurementStore _store;
    private readonly TrainerMetrics _metrics;
    private readonly ILogger _logger;
    private readonly IMqttClient _client;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _link = new(1, 1);
    private readonly Channel<Received> _received =
        Channel.CreateBounded<Received>(new BoundedChannelOptions(64) { SingleReader = true, SingleWriter = true });
    private Task? _loop;
    private Task? _writer;
    private long _ingested;
    private long _loopTurnedAt = Environment.TickCount64;
    private long _duplicates;
    private long _rejected;
    private int _connection;
    private volatile bool _subscribed;
    private volatile string? _storeProblem;

    /// <summary>Creates the ingest; <see cref="Start"/> connects.</summary>
    public MeasurementIngest(BrokerOptions broker, MeasurementStore store, TrainerMetrics metrics, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(broker);
        broker.EnsureValid();
        (_broker, _store, _metrics, _logger) = (broker, store, metrics, logger);
        _client = new MqttClientFactory().CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += OnMessageAsync;
    }

    /// <summary>True while connected to the broker.</summary>
    public bool IsConnected => _client.IsConnected;

    /// <summary>The broker this ingest reads from.</summary>
    public BrokerOptions Broker => _broker;

    /// <summary>Why the last write to the store failed, until a write succeeds again; null while the store
    /// works.</summary>
    public string? StoreProblem => _storeProblem;

    /// <summary>Measurements stored so far.</summary>
    public long Ingested => Interlocked.Read(ref _ingested);

    /// <summary>
    /// Time since the connect loop last turned (it turns every 100 ms while connected; each step of a reconnect is
    /// bounded): the systemd watchdog's sign of life.
    /// </summary>
    public TimeSpan SinceLoopTurned
        => TimeSpan.FromMilliseconds(Environment.TickCount64 - Interlocked.Read(ref _loopTurnedAt));

    /// <summary>Redelivered measurements dropped so far.</summary>
    public long Duplicates => Interlocked.Read(ref _duplicates);

    /// <summary>Malformed messages so far.</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>Starts connecting (and reconnecting) and storing in the background.</summary>
    public void Start()
    {
        _writer ??= Task.Run(() => WriteAsync(_stop.Token));
        _loop ??= Task.Run(() => RunAsync(_stop.Token));
    }

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

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _received.Writer.TryComplete();
        foreach (var task in new[] { _loop, _writer })
        {
            if (task is not null)
            {
                await task.ConfigureAwait(false);
            }
        }

        await _client.DisconnectAndDisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
        _link.Dispose();
    }

    private Task RunAsync(CancellationToken cancellationToken)
    {
        var loop = new MqttReconnectLoop(
            OpenAsync,
            ct => MqttReconnectLoop.WhileConnectedAsync(_client, TimeSpan.FromMilliseconds(100), null, Turn, ct),
            new ExponentialBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10), jitter: 0.5));
        loop.SessionOpened += reconnect =>
        {
            if (reconnect)
            {
                _metrics.Reconnects.Inc();
            }

            LogConnected(_logger, _broker.Host, _broker.Port);
        };

        // Whatever the broker, the network or the store did, the ingest keeps trying: it must outlive outages.
        loop.SessionLost += e => LogConnectFailed(_logger, _broker.Host, _broker.Port, e.Message);
        loop.Waiting += _ => Turn();
        return loop.RunAsync(cancellationToken);
    }

    private void Turn() => Interlocked.Exchange(ref _loopTurnedAt, Environment.TickCount64);

    private async Task OpenAsync(CancellationToken cancellationToken)
    {
        Turn();
        _subscribed = false;

        // While the store fails there is no point taking batches off the broker: its session keeps them.
        if (_storeProblem is not null
            && await _store.ProbeAsync(TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false) is { } problem)
        {
            throw new InvalidOperationException($"waiting for the store: {problem}");
        }

        var options = _broker.ToClientOptions(cleanStart: false, sessionExpirySeconds: 24 * 3600);

        // MQTTnet sizes the socket buffers to 8 KiB by default, which stalls large measurement batches on TCP
        // acknowledgements (≈ 85 ms per 216 kB batch on loopback); 1 MiB streams them.
        ((MqttClientTcpOptions)options.ChannelOptions).BufferSize = 1 << 20;
        // A new connection number under the link lock, so the writer never acknowledges an earlier connection's
        // batch on this one. Not the connect itself: it can wait for the old connection's message handler, which
        // waits for room in the channel, which waits for the writer — that waited for this lock, and a trainer paused
        // past its keep-alive never ingested again.
        await _link.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Interlocked.Increment(ref _connection);
        }
        finally
        {
            _link.Release();
        }

        await _client.ConnectAsync(options, cancellationToken).ConfigureAwait(false);
        // Not authorised for the measurements: say so and keep trying (the ACL may be fixed).
        await MqttReconnectLoop.SubscribeOrCloseAsync(
            _client, [EdgeTopics.AllDevices(TopicKind.Measurements)], cancellationToken).ConfigureAwait(false);

        _subscribed = true;
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

        // Acknowledged by the writer once stored, i.e. MQTTnet sends no PUBACK now: a crash means redelivery, not loss.
        e.AutoAcknowledge = false;
        try
        {
            var measurements = new DeviceMeasurements(deviceId, batch);
            var received = new Received(measurements, e, Volatile.Read(ref _connection), BatchId(e.ApplicationMessage));
            await _received.Writer.WriteAsync(received, _stop.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException)
        {
            // Stopping: left unacknowledged, the broker redelivers it to the next run.
        }
    }

    private async Task WriteAsync(CancellationToken cancellationToken)
    {
        var group = new List<Received>();
        var batches = new List<DeviceMeasurements>();
        var reader = _received.Reader;
        try
        {
            while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                group.Clear();
                batches.Clear();
                var measurements = 0;
                while (measurements < MaxGroupMeasurements && reader.TryRead(out var received))
                {
                    // A batch from an earlier connection cannot be acknowledged on this one; the broker redelivers it.
                    if (received.Connection == Volatile.Read(ref _connection))
                    {
                        group.Add(received);
                        batches.Add(received.Measurements);
                        measurements += received.Measurements.Batch.Count;
                    }
                }

                if (group.Count > 0)
                {
                    await StoreAndAcknowledgeAsync(group, batches, measurements,
                        cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping; whatever is still queued was not acknowledged and will be redelivered.
        }
    }

    private async Task StoreAndAcknowledgeAsync(List<Received> group, List<DeviceMeasurements> batches,
        int measurements, CancellationToken cancellationToken)
    {
        int added;
        var perBatch = new int[batches.Count];
        try
        {
            added = await _store.AddAsync(batches, cancellationToken, perBatch).ConfigureAwait(false);
            _storeProblem = null;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Nothing of the group was acknowledged. Drop the connection so the broker redelivers it (and what
            // followed)
            // to the next session, which starts only once the store answers again.
            _storeProblem = e.Message;
            _metrics.StoreErrors.Inc();
            LogStoreFailed(_logger, group.Count, e.Message);
            Interlocked.Increment(ref _connection);
            try
            {
                await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder()
                    .WithReason(MqttClientDisconnectOptionsReason.UnspecifiedError).Build(),
                        CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception disconnect) when (disconnect is MqttCommunicationException or InvalidOperationException)
            {
                // Already disconnected.
            }

            return;
        }

        Interlocked.Add(ref _ingested, added);
        Interlocked.Add(ref _duplicates, measurements - added);
        for (var b = 0; b < batches.Count; b++)
        {
            var device = batches[b].DeviceId;
            _metrics.Ingested.WithLabels(device).Inc(perBatch[b]);
            _metrics.Duplicates.WithLabels(device).Inc(batches[b].Batch.Count - perBatch[b]);
        }
        await AcknowledgeStoredAsync(group, cancellationToken).ConfigureAwait(false);
        await _link.WaitAsync(cancellationToken).ConfigureAwait(false);

        // Bounded: a PUBACK on a connection that died unnoticed (a trainer paused past its keep-alive) must not hold
        // the link lock, or the reconnect waits for it forever.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(PubackTimeout);
        try
        {
            foreach (var received in group)
            {
                if (received.Connection != Volatile.Read(ref _connection) || !_client.IsConnected)
                {
                    // Stored, but its connection is gone: the broker redelivers it and the ids make that harmless.
                    break;
                }

                await received.Delivery.AcknowledgeAsync(timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is MqttCommunicationException
            or InvalidOperationException
            or ObjectDisposedException
            || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // The connection went away after storing: the broker redelivers, the ids make that harmless.
        }
        finally
        {
            _link.Release();
        }
    }

    /// <summary>
    /// Tells each agent which of its batches the store now holds (duplicates too: their measurements were stored
    /// before). A failed acknowledgement is logged and counted; the agent sends those batches again and the ids make
    /// that harmless.
    /// </summary>
    private async Task AcknowledgeStoredAsync(List<Received> group, CancellationToken cancellationToken)
    {
        var acks = new List<Task>();
        foreach (var device in group.Where(r => r.BatchId is not null).GroupBy(r => r.Measurements.DeviceId))
        {
            foreach (var chunk in device.Select(r => r.BatchId!.Value).Chunk(MeasurementAckMessage.MaxBatchIds))
            {
                acks.Add(PublishAckAsync(device.Key, chunk, cancellationToken));
            }
        }

        await Task.WhenAll(acks).ConfigureAwait(false);
    }

    private async Task PublishAckAsync(string deviceId, Guid[] batchIds, CancellationToken cancellationToken)
    {
        var ack = new MeasurementAckMessage
        {
            DeviceId = deviceId, BatchIds = batchIds, Timestamp = DateTimeOffset.UtcNow,
        };
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(EdgeTopics.For(deviceId, TopicKind.MeasurementAck))
            .WithPayload(ControlJson.Serialize(ack, MessagingJsonContext.Default.MeasurementAckMessage))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithContentType("application/json")
            .Build();
        string? problem;
        try
        {
            var result = await _client.PublishAsync(message, cancellationToken).ConfigureAwait(false);

            // No subscriber is fine: the agent's session was not there; it sends the batches again and is acked then.
            problem = result.IsSuccess || result.ReasonCode == MqttClientPublishReasonCode.NoMatchingSubscribers
                ? null
                : $"{result.ReasonCode} {result.ReasonString}";
        }
        catch (Exception e)
            when (e is MqttCommunicationException or InvalidOperationException or ObjectDisposedException)
        {
            problem = e.Message;
        }

        if (problem is null)
        {
            _metrics.MeasurementAcks.Inc(batchIds.Length);
            return;
        }

        _metrics.MeasurementAckFailures.Inc(batchIds.Length);
        LogAckFailed(_logger, deviceId, batchIds.Length, problem);
    }

    /// <summary>The batch's <c>msg-id</c> user property (every agent sets it); null from a publisher without one.
    /// </summary>
    private static Guid? BatchId(MqttApplicationMessage message)
    {
        foreach (var property in message.UserProperties ?? [])
        {
            if (property.Name == "msg-id" && Guid.TryParse(property.ValueBuffer.Span, out var id))
            {
                return id;
            }
        }

        return null;
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

    [LoggerMessage(Level = LogLevel.Error, Message =
        "Storing {Batches} measurement batches failed ({Problem}); none acknowledged, reconnecting once the store "
            + "answers so the broker redelivers them")]
    private static partial void LogStoreFailed(ILogger logger, int batches, string problem);

    [LoggerMessage(
        Level = LogLevel.Warning,
        Message = "Acknowledging {Batches} stored batches to {DeviceId} failed ({Problem}); "
            + "the agent sends them again")]
    private static partial void LogAckFailed(ILogger logger, string deviceId, int batches, string problem);

    /// <summary>
    /// A decoded batch waiting for the writer, with the delivery to acknowledge once it is stored and the batch id
    /// to acknowledge to its agent.
    /// </summary>
    private readonly record struct Received(
        DeviceMeasurements Measurements,
        MqttApplicationMessageReceivedEventArgs Delivery,
        int Connection,
        Guid? BatchId);
}
