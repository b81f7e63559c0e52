using System.Buffers;
using Edge.Agent.Supervision;
using Edge.Domain.Devices;
using Edge.Domain.Messaging;
using Edge.Domain.Simulation;
using Edge.Domain.Timing;
using Edge.Mqtt;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Protocol;

namespace Edge.Agent.Messaging;

/// <summary>
/// The agent's MQTT link (MQTT 5, QoS 1, persistent session). Keeps a connection with jittered exponential
/// backoff, announces a retained <c>status</c> (its last will says offline), subscribes to its PAT, model-offer,
/// rollback, inference-request and measurement-ack topics and hands every request to the
/// <see cref="InboundDispatcher"/>'s lanes (acknowledging it only once handled), and drains the
/// <see cref="SqliteOutbox"/>: a control message leaves it on the broker's PUBACK, a measurement batch only on the
/// trainer's acknowledgement. Problems of the outbox, of subscriptions and of <see cref="IProblemSource"/>s are
/// logged, published on the <c>errors</c> topic and reported by <see cref="Problems"/>.
/// </summary>
public sealed partial class MqttAgentService : BackgroundService
{
    private const int PublishWindow = 32;
    private readonly MqttOptions _options;
    private readonly IPhysicalDevice _device;
    private readonly IPhysicalSystem _system;
    private readonly SqliteOutbox _outbox;
    private readonly InboundDispatcher _inbound;
    private readonly MeasurementRecorder _recorder;
    private readonly AgentMetrics _metrics;
    private readonly ILogger<MqttAgentService> _logger;
    private readonly SemaphoreSlim _wake = new(0);
    private readonly string _clientId;
    private readonly string _statusTopic;
    private readonly IActiveModelSource? _models;
    private readonly IMqttClient _client;
    private readonly string _measurementAckTopic;
    private readonly string _errorsTopic;
    private readonly DeviceSupervisor? _supervisor;
    private bool _everConnected;
    private volatile bool _ready;

    /// <summary>Creates the service; nothing connects until the host starts it.</summary>
    public MqttAgentService(
        IOptions<MqttOptions> options,
        IPhysicalDevice device,
        IPhysicalSystem system,
        SqliteOutbox outbox,
        InboundDispatcher inbound,
        MeasurementRecorder recorder,
        AgentMetrics metrics,
        ILogger<MqttAgentService> logger,
        IActiveModelSource? models = null,
        IEnumerable<IProblemSource>? problemSources = null,
        DeviceSupervisor? supervisor = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(outbox);
        (_options, _device, _system, _outbox, _inbound, _recorder, _metrics, _logger) = (options.Value, device, system,
            outbox, inbound, recorder, metrics, logger);
        _clientId = _options.ClientId.Length > 0 ? _options.ClientId : "edge-agent-" + device.DeviceId;
        _statusTopic = EdgeTopics.For(device.DeviceId, TopicKind.Status);
        _models = models;
        if (models is not null)
        {
            // The retained status and the model info metric name the active model: say so again whenever it changes.
            _metrics.ObserveModel(models.ActiveVersion);
            models.ActiveChanged += () =>
            {
                _metrics.ObserveModel(models.ActiveVersion);
                _metrics.ObserveLiveAccuracy(models.LiveAccuracy);
                _metrics.ObserveClassShift(models.ClassShift);
                _outbox.Enqueue(Status(StatusMessage.Online));
            };
            models.LiveAccuracyChanged += () =>
            {
                _metrics.ObserveLiveAccuracy(models.LiveAccuracy);
                _metrics.ObserveClassShift(models.ClassShift);
                _outbox.Enqueue(Status(StatusMessage.Online));
            };
        }

        _supervisor = supervisor;
        if (supervisor is not null)
        {
            // The retained status says whether the device is parked: say so again whenever that changes.
            supervisor.StateChanged += _ => _outbox.Enqueue(Status(StatusMessage.Online));
        }

        _outbox.Enqueued += () => Wake();
        _measurementAckTopic = EdgeTopics.For(device.DeviceId, TopicKind.MeasurementAck);
        _errorsTopic = EdgeTopics.For(device.DeviceId, TopicKind.Errors);
        WatchProblems(problemSources ?? []);
        _metrics.WatchOutbox(outbox, recorder);
        _client = new MqttClientFactory().CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += OnMessageAsync;
        _client.DisconnectedAsync += _ =>
        {
            _ready = false;
            _metrics.Connected.Set(0);
            Wake();
            return Task.CompletedTask;
        };
    }

    /// <summary>True while connected to the broker with the subscriptions in place and the status announced.</summary>
    public bool IsConnected => _client.IsConnected && _ready;

    /// <summary>
    /// Publishes one classification on <c>inference</c> (through the outbox; Home Assistant's sensors read it) and
    /// counts it with its latency. The inference engine calls this after each prediction.
    /// </summary>
    public void PublishInference(
        int classIndex, string? label, double confidence, TimeSpan latency, int? modelVersion, bool degraded = false)
    {
        if (!(confidence is >= 0 and <= 1) || latency < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(confidence),
                $"Confidence {confidence} must be in 0..1 and latency {latency} not negative.");
        }

        _metrics.RecordInference(latency);
        if (degraded)
        {
            _metrics.FallbackInferences.Inc();
        }

        var message = new InferenceMessage
        {
            DeviceId = _device.DeviceId,
            ClassIndex = classIndex,
            Label = label,
            Confidence = confidence,
            LatencyMs = latency.TotalMilliseconds,
            ModelVersion = modelVersion,
            Degraded = degraded ? true : null,
            Timestamp = DateTimeOffset.UtcNow
        };
        _outbox.Enqueue(new OutboxMessage(Guid.CreateVersion7(), EdgeTopics.For(_device.DeviceId, TopicKind.Inference),
            ControlJson.Serialize(message, MessagingJsonContext.Default.InferenceMessage), IsMeasurement: false,
                ContentType: "application/json"));
    }

    /// <inheritdoc />
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Say goodbye through the outbox, give the sender a moment to deliver, then disconnect cleanly (which, by
        // design, suppresses the last will — hence the explicit offline status).
        _recorder.Flush();
        _outbox.Enqueue(Status(StatusMessage.Offline));
        using (var drain = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            drain.CancelAfter(TimeSpan.FromSeconds(2));
            // Batches already sent wait for the trainer's ack across the restart; only what was never sent counts.
            while (IsConnected && _outbox.Count > _outbox.AwaitingAck && !drain.IsCancellationRequested)
            {
                await Task.Delay(20, CancellationToken.None).ConfigureAwait(false);
            }
        }

        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        // Messages still in the lanes stay unacknowledged; the persistent session delivers them after the restart.
        await _inbound.StopAsync().ConfigureAwait(false);
        if (_client is { IsConnected: true } client)
        {
            try
            {
                await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder()
                    .WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(),
                        CancellationToken.None).ConfigureAwait(false);
            }
            catch (MqttCommunicationException)
            {
                // Already gone; the broker will publish the last will.
            }
        }

        LogStopped(_logger, _outbox.Count);
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _client.Dispose();
        _wake.Dispose();
        base.Dispose();
    }

    /// <inheritdoc />
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Equal jitter: a fleet that lost the broker together does not reconnect in lockstep.
        var loop = new MqttReconnectLoop(
            ct => ConnectAsync(_client, ct),
            ct => PumpAsync(_client, ct),
            new ExponentialBackoff(
                TimeSpan.FromMilliseconds(_options.ReconnectMinDelayMs),
                TimeSpan.FromMilliseconds(_options.ReconnectMaxDelayMs),
                jitter: 0.5));

        // Any failure of the link (refused, reset, timed out, protocol error) ends in a reconnect, never a stop.
        loop.SessionLost += e => LogConnectionLost(_logger, _options.Host, _options.Port, e.Message);
        loop.Waiting += delay => LogReconnecting(_logger, delay.TotalMilliseconds, _outbox.Count);
        _inbound.Start();
        return loop.RunAsync(stoppingToken);
    }

    private async Task ConnectAsync(IMqttClient client, CancellationToken cancellationToken)
    {
        if (client.IsConnected)
        {
            return;
        }

        var will = ControlJson.Serialize(new StatusMessage { DeviceId = _device.DeviceId, State =
            StatusMessage.Offline }, MessagingJsonContext.Default.StatusMessage);
        var builder = new MqttClientOptionsBuilder()
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithClientId(_clientId)
            .WithCleanStart(false)
            .WithSessionExpiryInterval((uint)_options.SessionExpirySeconds)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(_options.KeepAliveSeconds))
            .WithTimeout(TimeSpan.FromSeconds(10))
            .WithWillTopic(_statusTopic)
            .WithWillPayload(will)
            .WithWillRetain()
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithWillContentType("application/json");
        // Broker address, credentials and TLS (CA file, CRL, client certificate) come from the shared settings.
        _options.ToConnectionSettings().ApplyTo(builder);
        var clientOptions = builder.Build();
        clientOptions.MaximumPacketSize = InboundLimits.MaxPacketBytes;

        // MQTTnet sizes the socket buffers to 8 KiB by default, which stalls measurement batches of a few hundred kB
        // on TCP acknowledgements (≈ 85 ms each on loopback); 1 MiB streams them.
        ((MqttClientTcpOptions)clientOptions.ChannelOptions).BufferSize = 1 << 20;
        var result = await client.ConnectAsync(clientOptions, cancellationToken).ConfigureAwait(false);
        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            throw new
                InvalidOperationException($"broker refused the connection: {result.ResultCode} {result.ReasonString}");
        }

        if (_everConnected)
        {
            _metrics.Reconnects.Inc();
        }

        _everConnected = true;
        var subscribe = new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(f
                => f.WithTopic(EdgeTopics.For(_device.DeviceId, TopicKind.PatRequest))
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce))
            .WithTopicFilter(f
                => f.WithTopic(EdgeTopics.For(_device.DeviceId, TopicKind.ModelOffer))
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce))
            .WithTopicFilter(f => f
                .WithTopic(EdgeTopics.For(_device.DeviceId, TopicKind.ModelRollback))
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce))
            .WithTopicFilter(f
                => f.WithTopic(EdgeTopics.InferenceRequest(_device.DeviceId))
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce))
            .WithTopicFilter(f => f
                .WithTopic(_measurementAckTopic)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce))
            .WithTopicFilter(f => f
                .WithTopic(EdgeTopics.For(_device.DeviceId, TopicKind.Environment))
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce))
            .Build();
        CheckSubscriptions(await client.SubscribeAsync(subscribe, cancellationToken).ConfigureAwait(false));

        // The last will may have replaced the retained status while we were away: announce ourselves again.
        _outbox.Enqueue(Status(StatusMessage.Online));
        if (_options.HomeAssistantDiscovery)
        {
            foreach (var config in HomeAssistantDiscovery.Messages(_options.HomeAssistantPrefix, _device.DeviceId,
                _system.Name))
            {
                _outbox.Enqueue(config);
            }
        }

        _ready = true;
        _metrics.Connected.Set(1);
        LogConnected(_logger, _options.Host, _options.Port, _clientId, result.IsSessionPresent, _outbox.Count);
    }

    private async Task PumpAsync(IMqttClient client, CancellationToken cancellationToken)
    {
        var flushEvery = TimeSpan.FromMilliseconds(_options.MeasurementFlushMs);
        var publishes = new List<Task<MqttClientPublishResult>>(PublishWindow);
        while (client.IsConnected)
        {
            cancellationToken.ThrowIfCancellationRequested();
            PublishAlerts();
            var pending = _outbox.Peek(PublishWindow);
            if (pending.Count == 0)
            {
                if (!await _wake.WaitAsync(IdleWait(flushEvery), cancellationToken).ConfigureAwait(false))
                {
                    _recorder.Flush();
                }

                continue;
            }

            publishes.Clear();
            foreach (var message in pending)
            {
                publishes.Add(client.PublishAsync(ToMqtt(message), cancellationToken));
            }

            await SettleAsync(pending, publishes).ConfigureAwait(false);
        }
    }

    /// <summary>How long the idle sender sleeps: until the flush interval or the next resend falls due.</summary>
    private TimeSpan IdleWait(TimeSpan flushEvery)
    {
        if (_outbox.NextResendDue() is not { } due)
        {
            return flushEvery;
        }

        var untilDue = due - _outbox.Clock.GetUtcNow() + TimeSpan.FromMilliseconds(1);
        return untilDue < TimeSpan.Zero ? TimeSpan.Zero : untilDue < flushEvery ? untilDue : flushEvery;
    }

    private MqttApplicationMessage ToMqtt(OutboxMessage message)
    {
        var builder = new MqttApplicationMessageBuilder()
            .WithTopic(message.Topic)
            .WithPayload(message.Payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag(message.Retain)
            .WithUserProperty("msg-id",
                System.Text.Encoding.ASCII.GetBytes(message.MessageId.ToString("N")).AsMemory());
        if (message.ContentType is not null)
        {
            builder.WithContentType(message.ContentType);
        }

        if (message.CorrelationData is not null)
        {
            builder.WithCorrelationData(message.CorrelationData);
        }

        return builder.Build();
    }

    private async Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        var message = e.ApplicationMessage;
        if (message.Topic == _measurementAckTopic)
        {
            // Small and quick (one delete): handled here, never refused as busy by a lane.
            HandleMeasurementAck(message.Payload);
            return;
        }

        // Acknowledged by the lane once handled, so a message the agent never finished is delivered again.
        e.AutoAcknowledge = false;
        // MQTTnet decodes each payload into an array of its own that is never reused, so the lanes may keep it
        // after this returns; only a payload in several segments (never produced by the decoder) is copied.
        var payload = message.Payload.IsSingleSegment ? message.Payload.First : message.Payload.ToArray();
        var inbound = new InboundMessage(message.Topic, payload, message.ResponseTopic, message.CorrelationData);
        await _inbound.DispatchAsync(inbound, e.AcknowledgeAsync).ConfigureAwait(false);
    }

    private OutboxMessage Status(string state)
    {
        var status = new StatusMessage
        {
            DeviceId = _device.DeviceId,
            State = state,
            Timestamp = DateTimeOffset.UtcNow,
            System = state == StatusMessage.Online ? _system.Name : null,
            Spec = state == StatusMessage.Online ? _device.Spec : null,
            ModelVersion = state == StatusMessage.Online ? _models?.ActiveVersion : null,
            LiveAccuracy = state == StatusMessage.Online ? _models?.LiveAccuracy : null,
            LiveAccuracyRounds = state == StatusMessage.Online ? _models?.LiveAccuracyRounds : null,
            ClassShift = state == StatusMessage.Online ? _models?.ClassShift : null,
            Degraded = state == StatusMessage.Online && _supervisor is not null ? _supervisor.IsParked : null,
            DeviceFault = state == StatusMessage.Online ? _supervisor?.Trip?.Fault.Name() : null,
        };
        return new OutboxMessage(Guid.CreateVersion7(), _statusTopic,
            ControlJson.Serialize(status, MessagingJsonContext.Default.StatusMessage), IsMeasurement: false,
                Retain: true, ContentType: "application/json");
    }

    private void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            _wake.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message =
        "MQTT connected to {Host}:{Port} as {ClientId} (session present: {SessionPresent}); {Waiting} messages waiting "
            + "in the outbox")]
    private static partial void LogConnected(ILogger logger, string host, int port, string clientId,
        bool sessionPresent, long waiting);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT connection to {Host}:{Port} lost or refused: {Reason}")]
    private static partial void LogConnectionLost(ILogger logger, string host, int port, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message =
        "MQTT reconnecting in {DelayMs:F0} ms; {Waiting} messages kept in the outbox")]
    private static partial void LogReconnecting(ILogger logger, double delayMs, long waiting);


    [LoggerMessage(Level = LogLevel.Information, Message =
        "MQTT stopped; {Waiting} messages stay in the outbox for the next start")]
    private static partial void LogStopped(ILogger logger, long waiting);
}
