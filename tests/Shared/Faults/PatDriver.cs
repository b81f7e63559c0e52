using System.Buffers;
using System.Diagnostics;
using System.Text.Json;
using Edge.Domain.Messaging;
using Edge.Domain.Simulation;
using Edge.Mqtt;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Edge.Tests.Shared.Faults;

/// <summary>
/// A stock MQTT 5 client (MQTTnet, as the trainer identity on the service listener, clean session) that sends PAT
/// requests of <c>drivesPerRequest</c> drives to one agent every <c>interval</c>, at most two waiting at a time (the
/// agent's per-requester queue), and reconnects whenever the broker goes away. Every drive carries a unique tag in
/// its first three values (<see cref="Tag"/>), so the drives the agent answered can be matched one by one against
/// the measurements the trainer stored.
/// </summary>
public sealed class PatDriver : IAsyncDisposable
{
    private const int Window = 2;
    private readonly MqttConnectionSettings _settings;
    private readonly string _clientId;
    private readonly string _deviceId;
    private readonly int _drivesPerRequest;
    private readonly TimeSpan _interval;
    private readonly int _driveLength;
    private readonly int _outputSize;
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly Lock _gate = new();
    private readonly Dictionary<int, (int FirstTag, int Count, double SentAt)> _pending = [];
    private readonly HashSet<int> _answered = [];
    private readonly Dictionary<int, double> _answeredAt = [];
    private readonly Stopwatch _clock;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private int _nextTag;
    private int _correlation;
    private int _lastAnswered = -1;

    /// <summary>A driver for <paramref name="deviceId"/> through <paramref name="broker"/>.</summary>
    public PatDriver(FaultBroker broker, string deviceId, int drivesPerRequest, TimeSpan interval, Stopwatch clock)
    {
        ArgumentNullException.ThrowIfNull(broker);
        _settings = broker.ServiceSettings();
        _deviceId = deviceId;
        _clientId = "fault-driver-" + deviceId;
        _drivesPerRequest = drivesPerRequest;
        _interval = interval;
        _clock = clock;
        var spec = PhysicalSystems.Get(FaultAgent.System).Spec;
        (_driveLength, _outputSize) = (spec.DriveLength, spec.OutputSize);
        _client.ApplicationMessageReceivedAsync += e =>
        {
            if (e.ApplicationMessage.Topic == EdgeTopics.For(_deviceId, TopicKind.Status))
            {
                OnStatus(e.ApplicationMessage);
            }
            else
            {
                OnReply(e.ApplicationMessage);
            }

            return Task.CompletedTask;
        };
    }

    /// <summary>The model version the agent's retained status reports (null: none active, or no status yet).</summary>
    public int? ModelVersion { get; private set; }

    /// <summary>Requests refused by the agent (busy or otherwise).</summary>
    public int Refused { get; private set; }

    /// <summary>Drives sent so far.</summary>
    public int Sent => Volatile.Read(ref _nextTag);

    /// <summary>The tags of every drive the agent answered.</summary>
    public HashSet<int> Answered
    {
        get
        {
            lock (_gate)
            {
                return [.. _answered];
            }
        }
    }

    /// <summary>Seconds on the bench clock at which each answered tag's reply arrived.</summary>
    public IReadOnlyDictionary<int, double> AnsweredAt
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<int, double>(_answeredAt);
            }
        }
    }

    /// <summary>True once a drive with a tag of <paramref name="firstTag"/> or later has been answered.</summary>
    public bool AnsweredSince(int firstTag)
    {
        lock (_gate)
        {
            return _lastAnswered >= firstTag;
        }
    }

    /// <summary>Writes the unique tag of drive number <paramref name="tag"/> into its first three values.</summary>
    public static void Tag(Span<float> drive, int tag)
    {
        drive[0] = tag % 1000 / 1000f;
        drive[1] = tag / 1000 % 1000 / 1000f;
        drive[2] = tag / 1_000_000 / 1000f;
    }

    /// <summary>Reads the tag back from a drive as the agent recorded it (the same float bits it was sent).</summary>
    public static int ReadTag(ReadOnlySpan<float> drive) =>
        (int)MathF.Round(drive[0] * 1000) + (1000 * (int)MathF.Round(drive[1] * 1000))
        + (1_000_000 * (int)MathF.Round(drive[2] * 1000));

    /// <summary>Starts sending.</summary>
    public void Start() => _loop = RunAsync(_stop.Token);

    /// <summary>Stops sending; replies still arriving are counted until <see cref="DisposeAsync"/>.</summary>
    public async Task StopSendingAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Waits until every request sent has been answered or has waited 5 s without a reply (it went down with a
    /// killed process), at most <paramref name="timeout"/>.
    /// </summary>
    public async Task WaitRepliesAsync(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout && InFlight() > 0)
        {
            await Task.Delay(50).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopSendingAsync().ConfigureAwait(false);
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync().ConfigureAwait(false);
        }

        _client.Dispose();
        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var topic = EdgeTopics.For(_deviceId, TopicKind.PatRequest);
        var drives = new float[_drivesPerRequest * _driveLength];
        var next = _clock.Elapsed;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                if (!_client.IsConnected && !await TryConnectAsync(cancellationToken).ConfigureAwait(false))
                {
                    await Task.Delay(250, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                while (InFlight() >= Window)
                {
                    await Task.Delay(5, cancellationToken).ConfigureAwait(false);
                }

                var wait = next - _clock.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
                }

                next = _clock.Elapsed > next + (4 * _interval) ? _clock.Elapsed : next + _interval;
                await SendAsync(topic, drives, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task SendAsync(string topic, float[] drives, CancellationToken cancellationToken)
    {
        var first = Volatile.Read(ref _nextTag);
        for (var i = 0; i < _drivesPerRequest; i++)
        {
            Tag(drives.AsSpan(i * _driveLength, _driveLength), first + i);
        }

        var correlation = ++_correlation;
        lock (_gate)
        {
            _pending[correlation] = (first, _drivesPerRequest, _clock.Elapsed.TotalSeconds);
        }

        Volatile.Write(ref _nextTag, first + _drivesPerRequest);
        var message = new MqttApplicationMessageBuilder().WithTopic(topic)
            .WithPayload(PatFrames.EncodeRequest(drives, _driveLength))
            .WithResponseTopic(EdgeTopics.PatResponse(_clientId))
            .WithCorrelationData(BitConverter.GetBytes(correlation))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
        try
        {
            var published = await _client.PublishAsync(message, cancellationToken).ConfigureAwait(false);
            if (published.ReasonCode == MqttClientPublishReasonCode.NoMatchingSubscribers)
            {
                // No agent subscribed (not started yet, or down without a session): the broker dropped the request,
                // so no reply can come. Waiting out its 5 s in the window held every start back by 5 s; the next
                // send asks again instead.
                lock (_gate)
                {
                    _pending.Remove(correlation);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped while sending: the request may never have left, so no reply is awaited for it.
            lock (_gate)
            {
                _pending.Remove(correlation);
            }

            throw;
        }
        catch (Exception e) when (e is MQTTnet.Exceptions.MqttCommunicationException or InvalidOperationException)
        {
            // The broker went away with the request; if it reached the agent the reply still counts, but it no
            // longer holds a place in the window.
            lock (_gate)
            {
                if (_pending.Remove(correlation, out var request))
                {
                    _pending[correlation] = request with { SentAt = double.NegativeInfinity };
                }
            }
        }
    }

    // Requests waiting for their reply; one that got none in 5 s (the agent died with it) no longer holds a place.
    private int InFlight()
    {
        var since = _clock.Elapsed.TotalSeconds - 5;
        lock (_gate)
        {
            return _pending.Values.Count(p => p.SentAt > since);
        }
    }

    private async Task<bool> TryConnectAsync(CancellationToken cancellationToken)
    {
        var options = _settings.ApplyTo(new MqttClientOptionsBuilder()
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId(_clientId)
            .WithCleanStart()
            .WithTimeout(TimeSpan.FromSeconds(5))).Build();
        try
        {
            var result = await _client.ConnectAsync(options, cancellationToken).ConfigureAwait(false);
            if (result.ResultCode != MqttClientConnectResultCode.Success)
            {
                return false;
            }

            await _client.SubscribeAsync(
                EdgeTopics.PatResponse(_clientId), MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken)
                .ConfigureAwait(false);
            await _client.SubscribeAsync(
                EdgeTopics.For(_deviceId, TopicKind.Status), MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken)
                .ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is MQTTnet.Exceptions.MqttCommunicationException or InvalidOperationException
            or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private void OnStatus(MqttApplicationMessage message)
    {
        try
        {
            using var status = JsonDocument.Parse(message.Payload.ToArray());
            if (status.RootElement.TryGetProperty("state", out var state) && state.GetString() == "online")
            {
                ModelVersion = status.RootElement.TryGetProperty("modelVersion", out var version)
                    && version.ValueKind == JsonValueKind.Number ? version.GetInt32() : null;
            }
        }
        catch (JsonException)
        {
            // Not a status this bench understands; the model-store rows then see no version.
        }
    }

    private void OnReply(MqttApplicationMessage message)
    {
        if (message.CorrelationData is not { Length: 4 } data)
        {
            return;
        }

        var correlation = BitConverter.ToInt32(data);
        (int FirstTag, int Count, double SentAt) request;
        lock (_gate)
        {
            if (!_pending.Remove(correlation, out request))
            {
                return; // a second copy of a reply
            }
        }

        var responses = ArrayPool<float>.Shared.Rent(request.Count * _outputSize);
        try
        {
            var refusal = PatFrames.DecodeReply(
                message.Payload.ToArray(), responses.AsSpan(0, request.Count * _outputSize), _outputSize);
            lock (_gate)
            {
                if (refusal is not null)
                {
                    Refused++;
                    return;
                }

                var at = _clock.Elapsed.TotalSeconds;
                for (var tag = request.FirstTag; tag < request.FirstTag + request.Count; tag++)
                {
                    _answered.Add(tag);
                    _answeredAt[tag] = at;
                }

                _lastAnswered = Math.Max(_lastAnswered, request.FirstTag + request.Count - 1);
            }
        }
        catch (MessageFormatException)
        {
            lock (_gate)
            {
                Refused++;
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(responses);
        }
    }
}
