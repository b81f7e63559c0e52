using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using Edge.Agent.Configuration;
using Edge.Agent.Models;
using Edge.Agent.Supervision;
using Edge.Domain.Data;
using Edge.Domain.Inference;
using Edge.Domain.Messaging;
using Edge.Domain.Models;
using Edge.Domain.Simulation;
using Edge.Trainer.Export;
using Edge.Trainer.Training;
using Edge.Trainer.Twins;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;
using MQTTnet.Protocol;

namespace Edge.Integration.Tests;

/// <summary>
/// A running agent (composed as <c>edge-agent run</c>, emulated chips, shipped mosquitto over mTLS) whose ADC is stuck
/// through the configured fault file: the trainer sees inference replies flagged degraded within three inferences, a
/// <c>device-fault</c> alert on the errors topic, a retained status that says degraded, and once the fault file is
/// removed a <c>device-recovered</c> alert and replies from the device again.
/// </summary>
public sealed class DeviceFaultTests
{
    private const string Device = ShippedBroker.DeviceA;
    private const string ResponseTopic = "edge/v1/_requesters/trainer/inference/response";

    [Fact]
    public async Task A_stuck_adc_is_detected_within_three_inferences_reported_served_from_the_twin_and_recovered()
    {
        var token = TestContext.Current.CancellationToken;
        await using var broker = await ShippedBroker.StartAsync();
        using var folder = new TempFolder();
        using var key = PackageSigning.CreateKey();
        var faultFile = folder.Path("fault");
        var settings = broker.AgentSettings(Device);
        foreach (var (name, value) in await InstallModelAsync(folder, key))
        {
            settings[name] = value;
        }

        settings["Edge:Device:System"] = "duffing";
        settings["Edge:Device:Backend"] = "emulated";
        settings["Edge:Device:Direct:Dac"] = "mcp4725";
        settings["Edge:Device:Direct:Adc"] = "ads1115";
        settings["Edge:Device:Direct:FaultFile"] = faultFile;
        settings["Edge:Supervision:FirstProbeMilliseconds"] = "100";
        settings["Edge:Supervision:MaxProbeMilliseconds"] = "400";
        await using var agent = await AgentInstance.StartAsync(
            broker.DevicePort, Device, folder.Path("outbox.db"), settings, asService: true);
        using var trainer = await ShippedBroker.ConnectAsync(broker.Trainer("fault-watch"), "fault-watch");
        var seen = new ConcurrentQueue<(string Topic, byte[] Payload, byte[]? Correlation)>();
        trainer.ApplicationMessageReceivedAsync += e =>
        {
            seen.Enqueue((
                e.ApplicationMessage.Topic,
                e.ApplicationMessage.Payload.ToArray(),
                e.ApplicationMessage.CorrelationData));
            return Task.CompletedTask;
        };
        foreach (var topic in new[] { ResponseTopic, $"edge/v1/{Device}/errors", $"edge/v1/{Device}/status" })
        {
            await trainer.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce, token);
        }

        var features = VowelDataset.Load().Test.Row(0).ToArray();
        var healthy = await RequestAsync(trainer, seen, features, 1);
        Assert.True(healthy.Ok, healthy.Error);
        Assert.False(healthy.Degraded);

        await File.WriteAllTextAsync(faultFile, "adc-stuck", token);
        await Task.Delay(200, token);
        var inferences = 0;
        InferenceReplyMessage reply;
        do
        {
            reply = await RequestAsync(trainer, seen, features, (byte)(10 + inferences));
            inferences++;
            Assert.True(reply.Ok, reply.Error);
        }
        while (reply.Degraded != true && inferences < 10);

        Assert.InRange(inferences, 1, 3);
        await Eventually.TrueAsync(
            () => Alerts(seen).Any(a => a.Alert == DeviceFaultReporter.FaultAlert), "the device-fault alert");
        Assert.Contains(
            "adc-stuck",
            Alerts(seen).First(a => a.Alert == DeviceFaultReporter.FaultAlert).Problem,
            StringComparison.Ordinal);
        await Eventually.TrueAsync(
            () => Statuses(seen).Any(s => s is { Degraded: true, DeviceFault: "adc-stuck" }), "a degraded status");
        Assert.Equal(1, agent.Metrics.DeviceState.Value);
        Assert.Equal(1, agent.Metrics.DeviceTrips.WithLabels("adc-stuck").Value);
        Assert.True(agent.Metrics.FallbackInferences.Value >= 1);
        Assert.True((await RequestAsync(trainer, seen, features, 40)).Degraded);

        File.Delete(faultFile);
        await Eventually.TrueAsync(
            () => Alerts(seen).Any(a => a.Alert == DeviceFaultReporter.RecoveredAlert), "the device-recovered alert");
        await Eventually.TrueAsync(
            () => Statuses(seen).LastOrDefault() is { Degraded: false }, "a status in service again");
        var back = await RequestAsync(trainer, seen, features, 41);
        Assert.True(back.Ok, back.Error);
        Assert.False(back.Degraded);
        Assert.Equal(0, agent.Metrics.DeviceState.Value);
    }

    private static IEnumerable<ErrorMessage> Alerts(
        ConcurrentQueue<(string Topic, byte[] Payload, byte[]? Correlation)> seen)
        => seen.Where(m => m.Topic.EndsWith("/errors", StringComparison.Ordinal))
            .Select(m => ControlJson.Parse(m.Payload, MessagingJsonContext.Default.ErrorMessage));

    private static List<StatusMessage> Statuses(
        ConcurrentQueue<(string Topic, byte[] Payload, byte[]? Correlation)> seen)
        => [.. seen.Where(m => m.Topic.EndsWith("/status", StringComparison.Ordinal))
            .Select(m => ControlJson.Parse(m.Payload, MessagingJsonContext.Default.StatusMessage))];

    private static async Task<InferenceReplyMessage> RequestAsync(
        IMqttClient client,
        ConcurrentQueue<(string Topic, byte[] Payload, byte[]? Correlation)> seen,
        float[] features,
        byte id)
    {
        byte[] correlation = [id];
        var request = ControlJson.Serialize(
            new InferenceRequestMessage { Features = features, Source = "fault-test" },
            InferenceJsonContext.Default.InferenceRequestMessage);
        await client.PublishAsync(
            new MqttApplicationMessageBuilder().WithTopic($"edge/v1/{Device}/inference/request").WithPayload(request)
                .WithResponseTopic(ResponseTopic).WithCorrelationData(correlation)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(),
            TestContext.Current.CancellationToken);
        byte[]? payload = null;
        bool IsReply((string Topic, byte[] Payload, byte[]? Correlation) m)
            => m.Topic == ResponseTopic && m.Correlation is [var c] && c == id;
        await Eventually.TrueAsync(
            () => (payload = seen.FirstOrDefault(IsReply).Payload) is not null,
            $"the reply to request {id}");
        return ControlJson.Parse(payload!, InferenceJsonContext.Default.InferenceReplyMessage);
    }

    /// <summary>
    /// An untrained Duffing vowel model with a quickly fitted twin, installed (validated on a simulated part) into a
    /// store the agent then opens; returns the agent's <c>Edge:Models</c> settings.
    /// </summary>
    private static async Task<Dictionary<string, string?>> InstallModelAsync(TempFolder folder, ECDsa key)
    {
        var token = TestContext.Current.CancellationToken;
        var task = VowelDataset.Load();
        var system = PhysicalSystems.Get("duffing");
        var part = system.CreateDevice(Device, 1);
        var data = await TwinData.CollectAsync(
            part, new TwinDataOptions { Samples = 300, NoiseFloorSamples = 20 }, 5, cancellationToken: token);
        var twin = MlpTwinFitter.Fit(
            data,
            new MlpTwinOptions { Hidden = [16], Epochs = 2, HalvingEpochs = 1 },
            7,
            cancellationToken: token).Twin;
        var model = PnnArchitectures.ForSystem(
            system.Name, part, task.Train.FeatureCount, task.ClassCount, 64, seed: 3);
        var labels = Enumerable.Range(0, task.Test.Count).Select(i => task.ClassNames[task.Test.Labels[i]]).ToArray();
        var calibration = CalibrationSet.Format(labels, task.Test.Features, task.Test.FeatureCount);
        await File.WriteAllBytesAsync(folder.Path("calibration.csv"), calibration, token);
        await File.WriteAllTextAsync(folder.Path("trainer.pub.pem"), key.ExportSubjectPublicKeyInfoPem(), token);
        using var package = new MemoryStream();
        ModelPackager.Write(
            package,
            model,
            twin,
            new PackageMetadata(1, task.Name, task.ClassNames, calibration, "fault-test") { Targets = new([Device]) },
            key);
        var options = new ModelsOptions
        {
            StoreDirectory = folder.Path("store"),
            PublicKeyPath = folder.Path("trainer.pub.pem"),
            CalibrationSetPath = folder.Path("calibration.csv"),
            CalibrationPasses = 1,
        };
        using (var store = ModelStore.Open(options, part, NullLogger.Instance))
        {
            package.Position = 0;
            var installed = await store.InstallAsync(package, token);
            Assert.True(installed.Accepted, installed.Reason);
        }

        return new()
        {
            ["Edge:Models:StoreDirectory"] = options.StoreDirectory,
            ["Edge:Models:PublicKeyPath"] = options.PublicKeyPath,
            ["Edge:Models:CalibrationSetPath"] = options.CalibrationSetPath,
            ["Edge:Models:CalibrationPasses"] = "1",
        };
    }
}
