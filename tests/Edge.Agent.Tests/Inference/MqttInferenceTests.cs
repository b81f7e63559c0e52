using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Edge.Agent.Commands;
using Edge.Agent.Messaging;
using Edge.Agent.Tests.Models;
using Edge.Domain.Inference;
using Edge.Domain.Messaging;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace Edge.Agent.Tests.Inference;

/// <summary>
/// Inference requests over MQTT 5 (<c>edge/v1/{id}/inference/request</c>) against the running service and a real
/// in-process broker: answered on the response topic with the correlation data, bad requests refused and counted.
/// </summary>
public sealed class MqttInferenceTests(TrainedPackages vowels, AudioPackages audio) : IAsyncLifetime
{
    private const string ResponseTopic = "edge/v1/_requesters/tester/inference/response";
    private readonly TempDirectory _folder = new();
    private readonly ConcurrentQueue<MqttApplicationMessage> _received = new();
    private readonly int _port = FreePort();
    private MqttServer _broker = null!;
    private IMqttClient _client = null!;

    public async ValueTask InitializeAsync()
    {
        var factory = new MqttServerFactory();
        _broker =
            factory.CreateMqttServer(factory.CreateServerOptionsBuilder().WithDefaultEndpoint()
                .WithDefaultEndpointBoundIPAddress(IPAddress.Loopback).WithDefaultEndpointPort(_port).Build());
        await _broker.StartAsync();
        _client = new MqttClientFactory().CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += e =>
        {
            _received.Enqueue(e.ApplicationMessage);
            return Task.CompletedTask;
        };
        await _client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1",
            _port).WithProtocolVersion(MqttProtocolVersion.V500).WithClientId("tester").Build(),
                TestContext.Current.CancellationToken);
        await _client.SubscribeAsync(ResponseTopic, MqttQualityOfServiceLevel.AtLeastOnce,
            TestContext.Current.CancellationToken);
        await _client.SubscribeAsync("edge/v1/+/errors", MqttQualityOfServiceLevel.AtLeastOnce,
            TestContext.Current.CancellationToken);
        await _client.SubscribeAsync("edge/v1/+/inference", MqttQualityOfServiceLevel.AtLeastOnce,
            TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_feature_request_is_answered_on_its_response_topic_with_the_class_and_split_latency()
    {
        await using var service = await StartAgentAsync("mqtt-vowels", vowels.PublicKeyPath, vowels.CalibrationPath,
            vowels.Package(vowels.Trained, 1, targets: new(["mqtt-vowels"])));
        var features = vowels.Task.Test.Row(0).ToArray();

        var reply = await RequestAsync("mqtt-vowels",
            Json(new InferenceRequestMessage { Features = features, Source = "row-0" }), [1, 2, 3]);

        Assert.True(reply.Ok, reply.Error);
        Assert.Equal("mqtt-vowels", reply.DeviceId);
        Assert.Equal("row-0", reply.Source);
        Assert.Equal(1, reply.ModelVersion);
        Assert.Equal(vowels.Task.ClassNames[reply.ClassIndex!.Value], reply.Label);
        Assert.InRange(reply.Confidence!.Value, 1.0 / 7, 1.0);
        Assert.True(reply.DigitalMs > 0 && reply.DeviceMs > 0,
            $"digital {reply.DigitalMs} ms, device {reply.DeviceMs} ms");

        // Every inference is also published for dashboards on the inference topic.
        await Poll.UntilAsync(() => _received.Any(m => m.Topic == "edge/v1/mqtt-vowels/inference"),
            "the inference result published");
        var published =
            ControlJson.Parse(_received.First(m => m.Topic == "edge/v1/mqtt-vowels/inference").Payload.ToArray(),
                MessagingJsonContext.Default.InferenceMessage);
        Assert.Equal(reply.Label, published.Label);
        Assert.Equal(1, published.ModelVersion);
    }

    [Fact]
    public async Task A_wav_request_to_an_audio_model_gives_the_digit()
    {
        await using var service = await StartAgentAsync("mqtt-digits", audio.PublicKeyPath, audio.CalibrationPath,
            audio.Package(1, new(["mqtt-digits"])));
        var path = audio.TestRecordings()[0].Path;

        var reply = await RequestAsync("mqtt-digits",
            Json(new InferenceRequestMessage { Wav =
                await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken),
                    Source = Path.GetFileName(path) }), [7]);
        var broken = await RequestAsync("mqtt-digits",
            Json(new InferenceRequestMessage { Wav = "RIFF...."u8.ToArray(), Source = "broken.wav" }), [8]);

        Assert.True(reply.Ok, reply.Error);
        Assert.Contains(reply.Label, audio.Task.ClassNames);
        Assert.Equal(Path.GetFileName(path), reply.Source);
        Assert.True(reply.DeviceMs > 0);
        Assert.False(broken.Ok);
        Assert.Contains("broken.wav", broken.Error, StringComparison.Ordinal);
        Assert.Contains("too short for a RIFF/WAVE header", broken.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_requests_are_answered_with_the_problem_counted_and_the_agent_keeps_serving()
    {
        await using var service = await StartAgentAsync("mqtt-bad", vowels.PublicKeyPath, vowels.CalibrationPath,
            vowels.Package(vowels.Trained, 1, targets: new(["mqtt-bad"])));
        var cases = new (byte[] Payload, string Problem)[]
        {
            ("{not json"u8.ToArray(), "InferenceRequestMessage: invalid JSON"),
            ("{\"schemaVersion\":9,\"features\":[1]}"u8.ToArray(), "schema version 9 is not supported"),
            ("{\"schemaVersion\":1,\"features\":[1,2,3]}"u8.ToArray(), "takes 12 features; got 3"),
            ("{\"schemaVersion\":1}"u8.ToArray(), "exactly one of 'features' or 'wav'"),
            ("{\"schemaVersion\":1,\"features\":[1],\"colour\":\"red\"}"u8.ToArray(), "colour"),
            (Json(new InferenceRequestMessage { Wav = [1, 2, 3] }), "not sound"),
        };
        for (var i = 0; i < cases.Length; i++)
        {
            var reply = await RequestAsync("mqtt-bad", cases[i].Payload, [(byte)(100 + i)]);
            Assert.False(reply.Ok);
            Assert.Contains(cases[i].Problem, reply.Error, StringComparison.Ordinal);
        }

        // No response topic: nobody to answer, so only the errors topic hears of it.
        await _client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(EdgeTopics.InferenceRequest("mqtt-bad"))
                .WithPayload(Json(new InferenceRequestMessage { Features = new float[12] }))
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(),
                        TestContext.Current.CancellationToken);

        await Poll.UntilAsync(() => Errors("mqtt-bad").Count == cases.Length + 1,
            $"{cases.Length + 1} errors published");
        var errors = Errors("mqtt-bad");
        Assert.Contains(errors, e => e.Problem.Contains("no usable MQTT 5 response topic", StringComparison.Ordinal));
        Assert.Contains(errors,
            e => e.CorrelationData == "64" && e.Problem.Contains("invalid JSON", StringComparison.Ordinal));
        Assert.Equal(cases.Length
            + 1, service.Services.GetRequiredService<AgentMetrics>().Rejected.WithLabels("InferenceRequest").Value);

        var good = await RequestAsync("mqtt-bad",
            Json(new InferenceRequestMessage { Features = vowels.Task.Test.Row(1).ToArray() }), [42]);
        Assert.True(good.Ok, good.Error);
    }

    [Fact]
    public async Task Without_a_model_store_requests_are_answered_saying_so()
    {
        var env = new Dictionary<string, string?>(MqttEnvironment("mqtt-nostore")) { ["EDGE_DEVICE__SYSTEM"] =
            TrainedPackages.System };
        await using var service = await ServiceHost.StartAsync(env);
        await Poll.UntilAsync(() => service.Services.GetRequiredService<MqttAgentService>().IsConnected,
            "agent connected");

        var reply = await RequestAsync("mqtt-nostore", Json(new InferenceRequestMessage { Features = new float[12] }),
            [5]);

        Assert.False(reply.Ok);
        Assert.Contains("no model store configured", reply.Error, StringComparison.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        await _client.DisconnectAsync();
        _client.Dispose();
        await _broker.StopAsync();
        _broker.Dispose();
        _folder.Dispose();
    }

    private static byte[] Json(InferenceRequestMessage request)
        => ControlJson.Serialize(request, InferenceJsonContext.Default.InferenceRequestMessage);

    private List<ErrorMessage> Errors(string deviceId)
        => [.. _received.Where(m => m.Topic == $"edge/v1/{deviceId}/errors")
            .Select(m => ControlJson.Parse(m.Payload.ToArray(), MessagingJsonContext.Default.ErrorMessage))];

    private async Task<InferenceReplyMessage> RequestAsync(string deviceId, byte[] payload, byte[] correlation)
    {
        await _client.PublishAsync(
            new MqttApplicationMessageBuilder().WithTopic(EdgeTopics.InferenceRequest(deviceId)).WithPayload(payload)
                .WithResponseTopic(ResponseTopic).WithCorrelationData(correlation)
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(),
            TestContext.Current.CancellationToken);
        MqttApplicationMessage? answer = null;
        await Poll.UntilAsync(()
            => (answer =
                _received.FirstOrDefault(m => m.Topic == ResponseTopic && m.CorrelationData is { } c
                    && c.AsSpan().SequenceEqual(correlation))) is not null,
                        $"reply with correlation {Convert.ToHexString(correlation)}");
        return ControlJson.Parse(answer!.Payload.ToArray(), InferenceJsonContext.Default.InferenceReplyMessage);
    }

    private Dictionary<string, string?> MqttEnvironment(string deviceId) => new()
    {
        ["EDGE_DEVICE__DEVICEID"] = deviceId,
        ["EDGE_MQTT__ENABLED"] = "true",
        ["EDGE_MQTT__URL"] = string.Create(CultureInfo.InvariantCulture, $"mqtt://127.0.0.1:{_port}"),
        ["EDGE_MQTT__ALLOWPLAINTEXT"] = "true",
        ["EDGE_MQTT__OUTBOXPATH"] = _folder.File(deviceId + "-outbox.db"),
        ["EDGE_MQTT__RECONNECTMINDELAYMS"] = "50",
        ["EDGE_MQTT__RECONNECTMAXDELAYMS"] = "400",
        ["EDGE_MQTT__MEASUREMENTSAMPLEFRACTION"] = "0",
    };

    private async Task<ServiceHost> StartAgentAsync(string deviceId, string publicKey, string calibration,
        byte[] package)
    {
        var env = MqttEnvironment(deviceId);
        env["EDGE_DEVICE__SYSTEM"] = TrainedPackages.System;
        env["EDGE_MODELS__STOREDIRECTORY"] = _folder.File(deviceId + "-store");
        env["EDGE_MODELS__PUBLICKEYPATH"] = publicKey;
        env["EDGE_MODELS__CALIBRATIONSETPATH"] = calibration;
        var path = _folder.File(deviceId + ".edgepkg");
        await File.WriteAllBytesAsync(path, package, TestContext.Current.CancellationToken);
        var (code, _, error) = await AgentRun.InvokeAsync(env, "models", "install", path);
        Assert.True(code == ExitCodes.Success, error);
        var service = await ServiceHost.StartAsync(env);
        await Poll.UntilAsync(() => service.Services.GetRequiredService<MqttAgentService>().IsConnected,
            "agent connected");
        return service;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
