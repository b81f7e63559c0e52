using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Edge.Agent.Commands;
using Edge.Agent.Messaging;
using Edge.Agent.Tests.Messaging;
using Edge.Agent.Tests.Models;
using Edge.Domain.Devices;
using Edge.Domain.Inference;
using Edge.Domain.Messaging;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using MQTTnet.Server;
using Edge.Tests.Shared;

namespace Edge.Agent.Tests.Inference;

/// <summary>
/// The running service with a real model, a broker and a device whose PAT slices the test lets through one at a
/// time: a model offer sent while a large PAT request is being served is answered without waiting for it, and an
/// inference request waits for the slice in the device only, not for the whole request.
/// </summary>
public sealed class InferenceFairnessTests(TrainedPackages vowels) : IAsyncLifetime
{
    private const string DeviceId = "fair-vowels";
    private const int SliceDrives = 8;
    private const int PatDrives = 8 * SliceDrives;
    private static readonly string PatResponseTopic = EdgeTopics.PatResponse("trainer");
    private static readonly string InferenceResponseTopic = EdgeTopics.InferenceResponse("tester");
    private static readonly string AckTopic = EdgeTopics.For(DeviceId, TopicKind.ModelAck);
    private readonly TempDirectory _folder = new();
    private readonly ConcurrentQueue<MqttApplicationMessage> _received = new();
    private readonly int _port = FreePort();
    private MqttServer _broker = null!;
    private IMqttClient _client = null!;
    private HeldDevice? _device;

    public async ValueTask InitializeAsync()
    {
        var factory = new MqttServerFactory();
        _broker = factory.CreateMqttServer(factory.CreateServerOptionsBuilder().WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(IPAddress.Loopback).WithDefaultEndpointPort(_port).Build());
        await _broker.StartAsync();
        _client = new MqttClientFactory().CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += e =>
        {
            _received.Enqueue(e.ApplicationMessage);
            return Task.CompletedTask;
        };
        var cancel = TestContext.Current.CancellationToken;
        var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", _port)
            .WithProtocolVersion(MqttProtocolVersion.V500).WithClientId("fairness-tester").Build();
        await _client.ConnectAsync(options, cancel);
        foreach (var topic in new[] { PatResponseTopic, InferenceResponseTopic, AckTopic })
        {
            await _client.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce, cancel);
        }
    }

    [Fact]
    [Trait("Category", "Security")]
    public async Task An_offer_is_answered_and_an_inference_waits_one_pat_slice_while_a_large_pat_request_is_served()
    {
        await using var service = await StartAgentAsync();
        var device = _device!;
        var gate = service.Services.GetRequiredService<DeviceGate>();

        var pat = PatFrames.EncodeRequest(new float[PatDrives * device.Spec.DriveLength], device.Spec.DriveLength);
        await PublishAsync(EdgeTopics.For(DeviceId, TopicKind.PatRequest), pat, PatResponseTopic, [1]);
        await device.WaitEnteredAsync();

        // An offer is answered in its own lane while the PAT slice is still in the device (a replayed version: the
        // store refuses it without the device).
        var offer = new ModelOffer(Guid.NewGuid(), vowels.Package(vowels.Trained, 1, targets: new([DeviceId])));
        await PublishAsync(EdgeTopics.For(DeviceId, TopicKind.ModelOffer), offer.Encode(), null, [2]);
        await Poll.UntilAsync(() => Received(AckTopic) is not null, "the offer acknowledged");
        Assert.Equal(0, device.Finished);

        var features = vowels.Task.Test.Row(0).ToArray();
        var request = new InferenceRequestMessage { Features = features };
        var json = ControlJson.Serialize(request, InferenceJsonContext.Default.InferenceRequestMessage);
        await PublishAsync(EdgeTopics.InferenceRequest(DeviceId), json, InferenceResponseTopic, [3]);
        await Poll.UntilAsync(() => gate.ForegroundWaiting == 1, "the inference waiting for the device");

        // The slice in the device ends; the next one queues behind the inference, which is answered while it is held.
        device.LetOneGo();
        await Poll.UntilAsync(() => Received(InferenceResponseTopic) is not null, "the inference answered");
        var answer = Received(InferenceResponseTopic)!.Payload.ToArray();
        var reply = ControlJson.Parse(answer, InferenceJsonContext.Default.InferenceReplyMessage);
        Assert.True(reply.Ok, reply.Error);
        var finishedAtInference = device.Finished;
        Assert.Equal(1, finishedAtInference);
        Assert.Null(Received(PatResponseTopic));

        device.LetAllGo();
        await Poll.UntilAsync(() => Received(PatResponseTopic) is not null, "the PAT request answered");
        var responses = new float[PatDrives * device.Spec.OutputSize];
        var patReply = Received(PatResponseTopic)!.Payload.ToArray();
        Assert.Null(PatFrames.DecodeReply(patReply, responses, device.Spec.OutputSize));
        var slices = service.Services.GetRequiredService<AgentMetrics>().PatSlices.Value;
        Assert.Equal(PatDrives / SliceDrives, slices);
        SecurityReport.Record(
            "lane-inference-during-pat",
            $"Starve inference: a {PatDrives}-drive PAT request is in the device when an offer and an inference arrive",
            SecurityReport.TestCommand("Edge.Agent.Tests", nameof(
                An_offer_is_answered_and_an_inference_waits_one_pat_slice_while_a_large_pat_request_is_served)),
            "the offer answered during the slice; the inference answered after at most one PAT slice",
            $"offer acked with 0 slices finished; inference ok after {finishedAtInference} of {slices} slices",
            reply.Ok && finishedAtInference == 1 && slices == PatDrives / SliceDrives);
    }

    public async ValueTask DisposeAsync()
    {
        await _client.DisconnectAsync();
        _client.Dispose();
        await _broker.StopAsync();
        _broker.Dispose();
        _device?.Dispose();
        _folder.Dispose();
    }

    private MqttApplicationMessage? Received(string topic) => _received.FirstOrDefault(m => m.Topic == topic);

    private Task<MqttClientPublishResult> PublishAsync(
        string topic, byte[] payload, string? responseTopic, byte[] correlation)
    {
        var message = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload)
            .WithCorrelationData(correlation).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        if (responseTopic is not null)
        {
            message.WithResponseTopic(responseTopic);
        }

        return _client.PublishAsync(message.Build(), TestContext.Current.CancellationToken);
    }

    private async Task<ServiceHost> StartAgentAsync()
    {
        var env = new Dictionary<string, string?>
        {
            ["EDGE_DEVICE__SYSTEM"] = TrainedPackages.System,
            ["EDGE_DEVICE__DEVICEID"] = DeviceId,
            ["EDGE_MQTT__ENABLED"] = "true",
            ["EDGE_MQTT__URL"] = string.Create(CultureInfo.InvariantCulture, $"mqtt://127.0.0.1:{_port}"),
            ["EDGE_MQTT__ALLOWPLAINTEXT"] = "true",
            ["EDGE_MQTT__OUTBOXPATH"] = _folder.File("outbox.db"),
            ["EDGE_MQTT__MEASUREMENTSAMPLEFRACTION"] = "0",
            ["EDGE_MQTT__PATSLICEDRIVES"] = SliceDrives.ToString(CultureInfo.InvariantCulture),
            ["EDGE_MODELS__STOREDIRECTORY"] = _folder.File("store"),
            ["EDGE_MODELS__PUBLICKEYPATH"] = vowels.PublicKeyPath,
            ["EDGE_MODELS__CALIBRATIONSETPATH"] = vowels.CalibrationPath,
        };
        var path = _folder.File("v1.edgepkg");
        await File.WriteAllBytesAsync(path, vowels.Package(vowels.Trained, 1, targets: new([DeviceId])),
            TestContext.Current.CancellationToken);
        var (code, _, error) = await AgentRun.InvokeAsync(env, "models", "install", path);
        Assert.True(code == ExitCodes.Success, error);

        // Inference and calibration play two drives per call; only PAT slices are held.
        var service = await ServiceHost.StartAsync(env, services =>
        {
            var real = services.Last(d => d.ServiceType == typeof(IPhysicalDevice));
            services.AddSingleton<IPhysicalDevice>(
                sp => _device = new HeldDevice((IPhysicalDevice)real.ImplementationFactory!(sp), SliceDrives));
        });
        var mqtt = service.Services.GetRequiredService<MqttAgentService>();
        await Poll.UntilAsync(() => mqtt.IsConnected, "agent connected");
        return service;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
