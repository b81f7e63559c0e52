using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using Edge.Domain.Inference;
using Edge.Domain.Messaging;
using Edge.Domain.Models;
using Edge.Domain.Specs;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Edge.Benchmarks;

/// <summary>A requester sending inference requests one at a time and timing each from publish to reply.</summary>
internal sealed class InferenceProbe : IAsyncDisposable
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly ConcurrentDictionary<int, TaskCompletionSource<InferenceReplyMessage>> _waiting = new();
    private readonly string _deviceId;
    private readonly CalibrationSet _examples;
    private readonly string _responseTopic = EdgeTopics.InferenceResponse("bench-inference");
    private int _next;

    private InferenceProbe(string deviceId, CalibrationSet examples) => (_deviceId, _examples) = (deviceId, examples);

    public static async Task<InferenceProbe> ConnectAsync(int port, string deviceId, CalibrationSet examples)
    {
        var probe = new InferenceProbe(deviceId, examples);
        probe._client.ApplicationMessageReceivedAsync += e =>
        {
            var id = BitConverter.ToInt32(e.ApplicationMessage.CorrelationData);
            if (probe._waiting.TryRemove(id, out var waiter))
            {
                var payload = e.ApplicationMessage.Payload.ToArray();
                waiter.TrySetResult(ControlJson.Parse(payload, InferenceJsonContext.Default.InferenceReplyMessage));
            }

            return Task.CompletedTask;
        };
        await probe._client.ConnectAsync(FastClientOptions(port, "bench-inference"));
        await probe._client.SubscribeAsync(probe._responseTopic, MqttQualityOfServiceLevel.AtLeastOnce);
        return probe;
    }

    /// <summary>
    /// MQTT 5 client options with 1 MiB socket buffers: with MQTTnet's default of 8 KiB a 400 KiB PAT request or an
    /// offer of the maximum size stalls on TCP acknowledgements and the flood would measure the client, not the agent.
    /// </summary>
    public static MqttClientOptions FastClientOptions(int port, string clientId)
    {
        var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port)
            .WithProtocolVersion(MqttProtocolVersion.V500).WithClientId(clientId).Build();
        ((MqttClientTcpOptions)options.ChannelOptions).BufferSize = 1 << 20;
        return options;
    }

    /// <summary>Asks until the agent answers (it is still starting), up to <paramref name="timeout"/>.</summary>
    public async Task WaitAnsweredAsync(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (await AskAsync(TimeSpan.FromSeconds(2)) is null)
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException(
                    $"edge-agent did not answer an inference request within {timeout.TotalSeconds:F0} s.");
            }
        }
    }

    /// <summary>
    /// Sends at least <paramref name="count"/> requests, and keeps sending for <paramref name="duration"/>.
    /// </summary>
    public async Task<Latency> MeasureAsync(int count, TimeSpan duration)
    {
        var latencies = new List<double>();
        var failed = 0;
        var clock = Stopwatch.StartNew();
        while (latencies.Count + failed < count || clock.Elapsed < duration)
        {
            var start = Stopwatch.GetTimestamp();
            var reply = await AskAsync(TimeSpan.FromSeconds(30));
            if (reply is { Ok: true })
            {
                latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
            else
            {
                failed++;
            }
        }

        latencies.Sort();
        if (latencies.Count == 0)
        {
            return new Latency(double.NaN, double.NaN, double.NaN, 0, failed);
        }

        var p99 = latencies[(int)Math.Min(latencies.Count - 1, Math.Ceiling(latencies.Count * 0.99) - 1)];
        return new Latency(latencies[latencies.Count / 2], p99, latencies[^1], latencies.Count, failed);
    }

    public async ValueTask DisposeAsync()
    {
        await _client.DisconnectAsync();
        _client.Dispose();
    }

    private async Task<InferenceReplyMessage?> AskAsync(TimeSpan timeout)
    {
        var id = Interlocked.Increment(ref _next);
        var waiter = new TaskCompletionSource<InferenceReplyMessage>(
            TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[id] = waiter;
        var features = _examples.Row(id % _examples.Count).ToArray();
        var request = new InferenceRequestMessage { Features = features, Source = "fairness-bench" };
        await _client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(EdgeTopics.InferenceRequest(_deviceId))
            .WithPayload(ControlJson.Serialize(request, InferenceJsonContext.Default.InferenceRequestMessage))
            .WithResponseTopic(_responseTopic)
            .WithCorrelationData(BitConverter.GetBytes(id))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());
        try
        {
            return await waiter.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            _waiting.TryRemove(id, out _);
            return null;
        }
    }
}

/// <summary>What the flood got back.</summary>
internal readonly record struct FloodCounts(
    int PatServed, int PatBusy, int PatOther, int OffersSent, int OffersAnswered);

/// <summary>Latency of answered inference requests, milliseconds, and how many were answered or failed.</summary>
internal readonly record struct Latency(double P50, double P99, double Max, int Count, int Failed);

/// <summary>
/// Another client flooding the agent: PAT requests at the agent's per-request limit, <see cref="Window"/> in flight
/// at a time (a new one as soon as one is answered or refused), and an unsigned offer of the maximum size every second.
/// </summary>
internal sealed class PatAndOfferFlood : IAsyncDisposable
{
    private const int Window = 8;
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly SemaphoreSlim _window = new(Window);
    private readonly CancellationTokenSource _stop = new();
    private readonly string _responseTopic = EdgeTopics.PatResponse("bench-flood");
    private readonly string _deviceId;
    private readonly float[] _responses;
    private readonly int _outputSize;
    private int _served;
    private int _busy;
    private int _other;
    private int _offersSent;
    private int _offersAnswered;
    private Task _running = Task.CompletedTask;

    private PatAndOfferFlood(string deviceId, LayerSpec spec, int drives)
        => (_deviceId, _responses, _outputSize) = (deviceId, new float[drives * spec.OutputSize], spec.OutputSize);

    public static async Task<PatAndOfferFlood> StartAsync(
        int port, string deviceId, LayerSpec spec, int drives, int offerBytes)
    {
        var flood = new PatAndOfferFlood(deviceId, spec, drives);
        var ackTopic = EdgeTopics.For(deviceId, TopicKind.ModelAck);
        flood._client.ApplicationMessageReceivedAsync += e =>
        {
            if (e.ApplicationMessage.Topic == ackTopic)
            {
                Interlocked.Increment(ref flood._offersAnswered);
                return Task.CompletedTask;
            }

            var payload = e.ApplicationMessage.Payload.ToArray();
            var refusal = PatFrames.DecodeReply(payload, flood._responses, flood._outputSize);
            if (refusal is null)
            {
                Interlocked.Increment(ref flood._served);
            }
            else if (refusal.StartsWith("busy", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref flood._busy);
            }
            else
            {
                Interlocked.Increment(ref flood._other);
            }

            flood._window.Release();
            return Task.CompletedTask;
        };
        await flood._client.ConnectAsync(InferenceProbe.FastClientOptions(port, "bench-flood"));
        await flood._client.SubscribeAsync(flood._responseTopic, MqttQualityOfServiceLevel.AtLeastOnce);
        await flood._client.SubscribeAsync(ackTopic, MqttQualityOfServiceLevel.AtLeastOnce);
        var random = new Random(5);
        var drivesValues = new float[drives * spec.DriveLength];
        for (var i = 0; i < drivesValues.Length; i++)
        {
            drivesValues[i] = (float)random.NextDouble();
        }

        var request = PatFrames.EncodeRequest(drivesValues, spec.DriveLength);
        var package = new byte[offerBytes];
        random.NextBytes(package);
        flood._running = Task.WhenAll(flood.FloodPatAsync(request), flood.FloodOffersAsync(package));
        return flood;
    }

    public async Task<FloodCounts> StopAsync()
    {
        await _stop.CancelAsync();
        await _running;
        return new FloodCounts(_served, _busy, _other, _offersSent, _offersAnswered);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _client.DisconnectAsync();
        _client.Dispose();
        _window.Dispose();
        _stop.Dispose();
    }

    private async Task FloodPatAsync(byte[] request)
    {
        var topic = EdgeTopics.For(_deviceId, TopicKind.PatRequest);
        var correlation = 0;
        try
        {
            while (true)
            {
                // A lost reply would shrink the window for good; waiting at most 5 s keeps it open.
                _ = await _window.WaitAsync(TimeSpan.FromSeconds(5), _stop.Token);
                var message = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(request)
                    .WithResponseTopic(_responseTopic).WithCorrelationData(BitConverter.GetBytes(++correlation))
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
                await PublishCountingTimeoutsAsync(message);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task FloodOffersAsync(byte[] package)
    {
        var topic = EdgeTopics.For(_deviceId, TopicKind.ModelOffer);
        try
        {
            while (true)
            {
                var frame = new ModelOffer(Guid.NewGuid(), package).Encode();
                var message = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(frame)
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
                await PublishCountingTimeoutsAsync(message);
                Interlocked.Increment(ref _offersSent);
                await Task.Delay(1000, _stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// A publish the broker did not acknowledge in time (it is flooded too) counts as an unanswered request; the
    /// flood goes on rather than ending the bench.
    /// </summary>
    private async Task PublishCountingTimeoutsAsync(MqttApplicationMessage message)
    {
        try
        {
            await _client.PublishAsync(message, _stop.Token);
        }
        catch (MQTTnet.Exceptions.MqttCommunicationTimedOutException)
        {
            Interlocked.Increment(ref _other);
        }
    }
}
