using Edge.Agent.Messaging;
using Edge.Domain.Messaging;
using Edge.Domain.Simulation;
using Edge.Trainer.Live;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Integration.Tests;

/// <summary>
/// The happy path over the shipped broker configuration: the real agent host connects with its device certificate
/// (mTLS, CA file, CRL), the trainer with its own, and PAT, measurement ingest and a model offer all work.
/// </summary>
public sealed class SecureLinkTests
{
    private const string Device = ShippedBroker.DeviceA;

    [Fact]
    [Trait("Category", "Security")]
    public async Task Agent_and_trainer_work_over_mutual_tls_with_the_shipped_configuration()
    {
        await using var broker = await ShippedBroker.StartAsync();
        using var folder = new TempFolder();
        var cancel = TestContext.Current.CancellationToken;
        await using var store = await MeasurementStore.OpenAsync(folder.Path("trainer.db"), cancel);
        await using var ingest = new MeasurementIngest(
            broker.Trainer("ingest"), store, new TrainerMetrics(), NullLogger.Instance);
        ingest.Start();
        await ingest.WaitConnectedAsync(TimeSpan.FromSeconds(10), cancel);
        var settings = broker.AgentSettings(Device);
        settings["Edge:Mqtt:MeasurementSampleFraction"] = "1";
        var offers = new AcceptingStore();
        await using var agent = await AgentInstance.StartAsync(
            broker.DevicePort,
            Device,
            folder.Path("outbox.db"),
            settings,
            s => s.AddSingleton<IModelOfferHandler>(offers));

        // PAT: the trainer's request reaches the agent and the measured responses come back on its requester topic.
        var remoteOptions = new RemoteDeviceOptions { DeviceId = Device, Broker = broker.Trainer("pat") };
        await using var remote = await RemoteDevice.ConnectAsync(remoteOptions, cancellationToken: cancel);
        var local = PhysicalSystems.Get(AgentInstance.System).CreateDevice(Device, 7);
        var drives = PatLoopTests.Drives(local.Spec, 20, seed: 3);
        var (expected, actual) = (new float[20 * local.Spec.OutputSize], new float[20 * local.Spec.OutputSize]);
        await local.ForwardAsync(drives, expected, cancel);
        await remote.ForwardAsync(drives, actual, cancel);
        Assert.Equal(expected, actual);

        // Ingest: every PAT drive was sampled and reaches the trainer's store under the device's id.
        agent.Recorder.Flush();
        await Eventually.TrueAsync(
            async () => await store.CountAsync(Device, cancel) == 20, "20 measurements ingested over TLS");

        // Publish: the offer reaches the agent and its verdict comes back to the trainer.
        var ack = await ModelPublisher.OfferAsync(
            broker.Trainer("publish"), Device, "package-v2"u8.ToArray(), TimeSpan.FromSeconds(20), cancel);
        Assert.True(ack.Accepted);
        Assert.Equal(Device, ack.DeviceId);
        Assert.Equal(["package-v2"], offers.Seen);
        Assert.Equal(0, agent.Metrics.Reconnects.Value);
        var ingested = await store.CountAsync(Device, cancel);
        SecurityReport.Record(
            "link-happy-path",
            "Happy path over the shipped broker: mTLS with a private CA and an offline CRL file, no AllowUntrusted",
            Repeat(nameof(Agent_and_trainer_work_over_mutual_tls_with_the_shipped_configuration)),
            "PAT, measurement ingest and an offer all work; 0 reconnects",
            $"PAT responses equal: {expected.SequenceEqual(actual)}; {ingested} measurements ingested; "
                + $"offer accepted: {ack.Accepted}; reconnects {agent.Metrics.Reconnects.Value}",
            expected.SequenceEqual(actual) && ingested == 20 && ack.Accepted && agent.Metrics.Reconnects.Value == 0);
    }

    [Fact]
    [Trait("Category", "Security")]
    public async Task A_device_certificate_cannot_publish_an_offer()
    {
        await using var broker = await ShippedBroker.StartAsync();
        var asDevice = broker.Trainer("x") with
        {
            Port = broker.DevicePort,
            ClientCertificateFile = Path.Combine(broker.Certificates, "devices", ShippedBroker.DeviceB + ".crt"),
            ClientKeyFile = Path.Combine(broker.Certificates, "devices", ShippedBroker.DeviceB + ".key"),
        };

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ModelPublisher.OfferAsync(
            asDevice, Device, "evil"u8.ToArray(), TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken));

        var refused = error.Message.Contains("NotAuthorized", StringComparison.Ordinal);
        Assert.True(refused, error.Message);
        SecurityReport.Record(
            "link-offer-from-device",
            "edge-trainer publish run with a device certificate (dev-b offers a package to dev-a)",
            Repeat(nameof(A_device_certificate_cannot_publish_an_offer)),
            "the publish is NotAuthorized and the publisher fails",
            error.Message,
            refused);
    }

    private static string Repeat(string test) => SecurityReport.TestCommand("Edge.Integration.Tests", test);

    private sealed class AcceptingStore : IModelOfferHandler
    {
        public List<string> Seen { get; } = [];

        public ValueTask<ModelOfferResult> HandleOfferAsync(ModelOffer offer, CancellationToken cancellationToken)
        {
            Seen.Add(System.Text.Encoding.UTF8.GetString(offer.Package.Span));
            return ValueTask.FromResult(new ModelOfferResult(true, "activated"));
        }
    }
}
