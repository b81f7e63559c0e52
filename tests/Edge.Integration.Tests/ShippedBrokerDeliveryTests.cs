using Edge.Trainer.Live;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;

namespace Edge.Integration.Tests;

/// <summary>
/// Measurement delivery through the shipped broker configuration (TLS, ACLs, persistence with autosave): only the
/// trainer acknowledges, and kill -9 of mosquitto loses nothing in either order of reconnection.
/// </summary>
public sealed class ShippedBrokerDeliveryTests
{
    private const string Device = ShippedBroker.DeviceA;
    private const string AckTopic = $"edge/v1/{Device}/measurements/ack";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    [Trait("Category", "Security")]
    public async Task Only_the_trainer_may_acknowledge_measurements_and_a_device_reads_only_its_own_acks()
    {
        await using var broker = await ShippedBroker.StartAsync();
        using var deviceA = await ShippedBroker.ConnectAsync(broker.Device(Device), "a");
        using var deviceB = await ShippedBroker.ConnectAsync(broker.Device(ShippedBroker.DeviceB), "b");
        using var requester = await ShippedBroker.ConnectAsync(broker.Service(ShippedBroker.Requester, "op"), "op");
        using var trainer = await ShippedBroker.ConnectAsync(broker.Trainer("acks"), "acks");
        var seenByA = await BrokerLockdownTests.SubscribeAsync(deviceA, AckTopic, "edge/v1/dev-b/measurements/ack");

        // A forged ack would delete a device's measurements from its outbox before anything stored them.
        var forged = new[]
        {
            await BrokerLockdownTests.PublishAsync(deviceA, AckTopic, "self"),
            await BrokerLockdownTests.PublishAsync(deviceB, AckTopic, "from b"),
            await BrokerLockdownTests.PublishAsync(requester, AckTopic, "from op"),
        };
        Assert.All(forged, r => Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, r.ReasonCode));
        Assert.True((await BrokerLockdownTests.PublishAsync(trainer, "edge/v1/dev-b/measurements/ack", "b's"))
            .IsSuccess);
        Assert.True((await BrokerLockdownTests.PublishAsync(trainer, AckTopic, "a's")).IsSuccess);

        await Eventually.TrueAsync(() => !seenByA.IsEmpty, "a's own ack arrives");
        await Task.Delay(200, Token);
        Assert.Equal([$"{AckTopic} a's"], seenByA);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Kill_9_of_mosquitto_while_the_trainer_is_away_loses_no_measurement(bool agentReconnectsFirst)
    {
        await using var broker = await ShippedBroker.StartAsync();
        using var folder = new TempFolder();
        var outbox = folder.Path("outbox.db");
        await using var store = await MeasurementStore.OpenAsync(folder.Path("trainer.db"), Token);
        var trainerBroker = broker.Trainer("edge-trainer-ingest");
        var metrics = new TrainerMetrics();

        // The trainer has a session at the broker, then goes away; the agent streams into that session.
        await using (var first = new MeasurementIngest(trainerBroker, store, metrics, NullLogger.Instance))
        {
            first.Start();
            await first.WaitConnectedAsync(TimeSpan.FromSeconds(10), Token);
        }

        var settings = AgentSettings(broker);
        var agent = await AgentInstance.StartAsync(0, Device, outbox, settings);
        EndToEndDeliveryTests.Produce(agent, 300, seed: 1);
        await Eventually.TrueAsync(() => agent.Outbox.AwaitingAck == 6, "six batches handed to the broker");
        long recordedBefore = 0;

        await broker.KillAsync();
        MeasurementIngest? trainer = null;
        try
        {
            if (agentReconnectsFirst)
            {
                await broker.RestartAsync();
                await agent.WaitConnectedAsync();
                EndToEndDeliveryTests.Produce(agent, 300, seed: 2);
            }
            else
            {
                EndToEndDeliveryTests.Produce(agent, 300, seed: 2);
                recordedBefore = agent.Recorder.Recorded;
                await agent.DisposeAsync();
                await broker.RestartAsync();
                trainer = await StartTrainerAsync(trainerBroker, store, metrics);
                agent = await AgentInstance.StartAsync(0, Device, outbox, settings);
            }

            trainer ??= await StartTrainerAsync(trainerBroker, store, metrics);
            await Eventually.TrueAsync(
                async () => await store.CountAsync(Device, Token) == 600 && agent.Outbox.Count == 0,
                "all 600 measurements stored and acknowledged",
                seconds: 60);
            Assert.Equal(600, recordedBefore + agent.Recorder.Recorded);
            Assert.Equal(600, (await store.IdsAsync(Device, Token)).Count);
            Assert.Equal(0, agent.Outbox.DroppedMeasurements);
        }
        finally
        {
            await agent.DisposeAsync();
            if (trainer is not null)
            {
                await trainer.DisposeAsync();
            }
        }
    }

    private static Dictionary<string, string?> AgentSettings(ShippedBroker broker)
    {
        var settings = broker.AgentSettings(Device);
        settings["Edge:Mqtt:MeasurementBatchSize"] = "50";
        settings["Edge:Mqtt:MeasurementAckTimeoutMs"] = "500";
        settings["Edge:Mqtt:MeasurementAckMaxTimeoutMs"] = "2000";
        return settings;
    }

    private static async Task<MeasurementIngest> StartTrainerAsync(
        BrokerOptions options,
        MeasurementStore store,
        TrainerMetrics metrics)
    {
        var ingest = new MeasurementIngest(options, store, metrics, NullLogger.Instance);
        ingest.Start();
        await ingest.WaitConnectedAsync(TimeSpan.FromSeconds(20), Token);
        return ingest;
    }
}
