using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using Edge.Domain.Devices;
using Edge.Domain.Messaging;
using Edge.Domain.Specs;
using MQTTnet;
using MQTTnet.Protocol;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Edge.Trainer.Live;

/// <summary>
/// An <see cref="IPhysicalDevice"/> whose forward pass runs on a live agent: drives go out on the agent's
/// <c>pat/request</c> topic with an MQTT 5 response topic and correlation data, the reply comes back on this
/// trainer's response topic. Each attempt has a timeout; timed-out attempts are retried (Polly) with a fresh
/// correlation id, and a late reply to an abandoned attempt is ignored. The layer spec comes from the agent's
/// retained status, so <c>PnnTrainer</c> runs PAT against it unchanged.
/// </summary>
public sealed class RemoteDevice : IPhysicalDevice, IAsyncDisposable
{
    private readonly IMqttClient _client;
    private readonly RemoteDeviceOptions _options;
    private readonly TrainerMetrics? _metrics;
    private readonly ConcurrentDictionary<Guid, Pending> _pending = new();
    private readonly ResiliencePipeline _pipeline;
    private readonly string _requestTopic;
    private readonly string _responseTopic;
    private readonly uint _expirySeconds;
    private TaskCompletionSource<StatusMessage>? _status;
    private volatile string? _offline;

    private RemoteDevice(
        IMqttClient client,
        RemoteDeviceOptions options,
        TrainerMetrics? metrics,
        string responseTopic,
        uint expirySeconds)
    {
        (_client, _options, _metrics) = (client, options, metrics);
        (_responseTopic, _expirySeconds) = (responseTopic, expirySeconds);
        _requestTopic = EdgeTopics.For(options.DeviceId, TopicKind.PatRequest);
        _pipeline = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<TimeoutRejectedException>(),
                MaxRetryAttempts = options.Retries,
                Delay = TimeSpan.FromMilliseconds(50),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                OnRetry = _ =>
                {
                    _metrics?.RemoteRetries.Inc();
                    return ValueTask.CompletedTask;
                },
            })
            .AddTimeout(options.AttemptTimeout)
            .Build();
        Spec = null!;
    }

    /// <inheritdoc />
    public LayerSpec Spec { get; private set; }

    /// <inheritdoc />
    public string DeviceId => _options.DeviceId;

    /// <summary>The system the agent reported.</summary>
    public string? System { get; private set; }

    /// <summary>True once the agent's status said offline after it connected (no requests are sent then).</summary>
    public bool AgentOffline => _offline is not null;

    /// <summary>Drives sent (including retries).</summary>
    public long DrivesSent { get; private set; }

    /// <summary>
    /// Connects, waits for the agent's retained online status (which carries the layer spec) and subscribes to replies.
    /// </summary>
    public static async Task<RemoteDevice> ConnectAsync(RemoteDeviceOptions options, TrainerMetrics? metrics = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        EdgeTopics.ValidateDeviceId(options.DeviceId);
        var expirySeconds = options.RequestExpirySeconds;
        var client = new MqttClientFactory().CreateMqttClient();
        var responseTopic = EdgeTopics.PatResponse(options.Broker.ClientId);
        var device = new RemoteDevice(client, options, metrics, responseTopic, expirySeconds);
        client.ApplicationMessageReceivedAsync += device.OnMessageAsync;
        try
        {
            await client.ConnectAsync(options.Broker.ToClientOptions(cleanStart: true, sessionExpirySeconds: 0),
                cancellationToken).ConfigureAwait(false);
            device._status =
                new TaskCompletionSource<StatusMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
            await client.SubscribeAsync(
                new MqttClientSubscribeOptionsBuilder()
                    .WithTopicFilter(device._responseTopic, MqttQualityOfServiceLevel.AtLeastOnce)
                    .WithTopicFilter(EdgeTopics.For(options.DeviceId, TopicKind.Status),
                        MqttQualityOfServiceLevel.AtLeastOnce)
                    .Build(),
                cancellationToken).ConfigureAwait(false);
            var status = await device._status.Task.WaitAsync(options.StatusTimeout,
                cancellationToken).ConfigureAwait(false);
            device.Spec = status.Spec!;
            device.System = status.System;
            return device;
        }
        catch (TimeoutException e)
        {
            await device.DisposeAsync().ConfigureAwait(false);
            throw new
                RemoteDeviceException($"Agent '{options.DeviceId}' did not report an online status with its layer spec "
                    + $"within {options.StatusTimeout.TotalSeconds:F0} s on {options.Broker.Address}.", e);
        }
        catch
        {
            await device.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc />
    public async ValueTask ForwardAsync(ReadOnlyMemory<float> drives, Memory<float> responses,
        CancellationToken cancellationToken = default)
    {
        var count = DeviceBatch.Count(Spec, drives.Length, responses.Length);
        for (var start = 0; start < count; start += _options.MaxDrivesPerRequest)
        {
            var n = Math.Min(_options.MaxDrivesPerRequest, count - start);
            var chunkDrives = drives.Slice(start * Spec.DriveLength, n * Spec.DriveLength);
            var chunkResponses = responses.Slice(start * Spec.OutputSize, n * Spec.OutputSize);
            var request = PatFrames.EncodeRequest(chunkDrives.Span, Spec.DriveLength);
            try
            {
                await _pipeline.ExecuteAsync(
                    async token => await AttemptAsync(request, chunkResponses, n, token).ConfigureAwait(false),
                    cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutRejectedException e)
            {
                throw new RemoteDeviceException(
                    $"Agent '{DeviceId}' did not answer a PAT request of {n} drives: no reply within "
                    + $"{_options.AttemptTimeout.TotalSeconds:0.#} s, attempts: {_options.Retries + 1} "
                    + "(is it online and serving?).",
                    e);
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var pending in _pending.Values)
        {
            pending.Completion.TrySetCanceled();
        }

        if (_client.IsConnected)
        {
            await _client.DisconnectAsync().ConfigureAwait(false);
        }

        _client.Dispose();
    }

    private async Task AttemptAsync(byte[] request, Memory<float> responses, int drives,
        CancellationToken cancellationToken)
    {
        if (_offline is { } offline)
        {
            throw new RemoteDeviceException(offline);
        }

        var correlation = Guid.NewGuid();
        var pending = new Pending(responses);
        _pending[correlation] = pending;
        try
        {
            var clock = Stopwatch.StartNew();
            var message = new MqttApplicationMessageBuilder()
                .WithTopic(_requestTopic)
                .WithPayload(request)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .WithResponseTopic(_responseTopic)
                .WithCorrelationData(correlation.ToByteArray())
                .WithContentType("application/x-edge-pat-request")
                .WithMessageExpiryInterval(_expirySeconds)
                .Build();
            await _client.PublishAsync(message, cancellationToken).ConfigureAwait(false);
            DrivesSent += drives;
            await pending.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            _metrics?.RemoteForwardSeconds.Observe(clock.Elapsed.TotalSeconds);
        }
        finally
        {
            _pending.TryRemove(correlation, out _);
        }
    }

    private Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        var message = e.ApplicationMessage;
        var payload = message.Payload.IsSingleSegment ? message.Payload.First : message.Payload.ToArray();
        if (message.Topic == _responseTopic)
        {
            if (message.CorrelationData is not { Length: 16 } correlation
                || !_pending.TryGetValue(new Guid(correlation), out var pending))
            {
                return Task.CompletedTask; // A reply to an attempt already abandoned (timed out) or not ours.
            }

            try
            {
                var refusal = PatFrames.DecodeReply(payload.Span, pending.Responses.Span, Spec.OutputSize);
                if (refusal is null)
                {
                    pending.Completion.TrySetResult();
                }
                else
                {
                    pending.Completion.TrySetException(new
                        RemoteDeviceException($"Agent '{DeviceId}' refused the PAT request: {refusal}"));
                }
            }
            catch (MessageFormatException ex)
            {
                pending.Completion.TrySetException(new
                    RemoteDeviceException($"Agent '{DeviceId}' sent a malformed PAT reply: {ex.Message}", ex));
            }

            return Task.CompletedTask;
        }

        try
        {
            var parsed = ControlJson.Parse(payload.Span, MessagingJsonContext.Default.StatusMessage);
            if (parsed.DeviceId != DeviceId)
            {
                // The topic is the device's (the broker ACL binds it to the device's identity); a payload naming
                // another device is forged or misrouted and must not give this device its spec.
                _metrics?.IdentityMismatches.WithLabels("status").Inc();
                return Task.CompletedTask;
            }

            if (parsed is { State: StatusMessage.Online, Spec: { } spec })
            {
                spec.Validate();
                _offline = null;
                _status?.TrySetResult(parsed);
            }
            else if (parsed.State == StatusMessage.Offline && _status is { Task.IsCompleted: true })
            {
                // Gone mid-session: fail what waits at once rather than after every retry has timed out.
                _offline = $"Agent '{DeviceId}' went offline (its status says so); PAT requests stopped.";
                foreach (var waiting in _pending.Values)
                {
                    waiting.Completion.TrySetException(new RemoteDeviceException(_offline));
                }
            }
        }
        catch (Exception ex) when (ex is MessageFormatException or SpecValidationException)
        {
            var unusable = $"Agent '{DeviceId}' published an unusable status: {ex.Message}";
            _status?.TrySetException(new RemoteDeviceException(unusable, ex));
        }

        return Task.CompletedTask;
    }

    private sealed class Pending(Memory<float> responses)
    {
        public Memory<float> Responses { get; } = responses;

        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
