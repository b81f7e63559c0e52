using Edge.Domain.Simulation;
using Edge.Trainer.Live;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Integration.Tests;

/// <summary>Store-and-forward end to end: agent outbox → broker → trainer ingest → store.</summary>
public sealed class MeasurementDeliveryTests(PostgresFixture postgres)
{
    private static readonly Dictionary<string, string?> SmallBatches = new()
    {
        ["Edge:Mqtt:MeasurementBatchSize"] = "50",
        ["Edge:Mqtt:MeasurementAckTimeoutMs"] = "1000",
    };

    [Fact]
    public async Task Measurements_survive_a_broker_outage_and_an_agent_restart_with_none_lost_or_duplicated()
    {
        await using var broker = TestBroker.Create("mosquitto");
        await broker.StartAsync();
        using var folder = new TempFolder();
        var outbox = folder.Path("outbox.db");
        await using var store = await MeasurementStore.OpenAsync(folder.Path("trainer.db"),
            TestContext.Current.CancellationToken);
        var metrics = new TrainerMetrics();
        var trainerBroker = new BrokerOptions { Host = "127.0.0.1", Port = broker.Port, UseTls = false,
            AllowPlaintext = true, ClientId = "ingest-outage" };
        var ingest = new MeasurementIngest(trainerBroker, store, metrics, NullLogger.Instance);
        ingest.Start();
        await ingest.WaitConnectedAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        var spec = PhysicalSystems.Get(AgentInstance.System).Spec;

        var first = await AgentInstance.StartAsync(broker.Port, "outage-agent", outbox, SmallBatches);
        Produce(first, spec, 300, seed: 1);
        await Eventually.TrueAsync(async ()
            => await store.CountAsync("outage-agent", TestContext.Current.CancellationToken) == 300,
                "first 300 measurements stored");

        // Outage: the broker goes down, the trainer goes down, the agent keeps measuring and is restarted.
        await broker.StopAsync();
        await ingest.DisposeAsync();
        Produce(first, spec, 300, seed: 2);
        var firstOutbox = first.Outbox;
        await first.DisposeAsync();
        Assert.True(firstOutbox.Count >= 6,
            $"the outbox should hold the batches made during the outage, holds {firstOutbox.Count}");

        await using var second = await AgentInstance.StartAsync(broker.Port, "outage-agent", outbox, SmallBatches,
            waitConnected: false);
        Produce(second, spec, 300, seed: 3);
        second.Recorder.Flush();

        // The broker returns first and takes everything into the trainer's persisted session; then the trainer returns.
        await broker.StartAsync();
        // Everything is sent, and stays in the outbox until the trainer says it is stored.
        await Eventually.TrueAsync(
            () => second.Mqtt.IsConnected
                && second.Outbox.Count > 0
                && second.Outbox.Count == second.Outbox.AwaitingAck,
            "the agent sent its outbox into the broker and waits for the trainer's acks");
        await using var restarted = new MeasurementIngest(trainerBroker, store, metrics, NullLogger.Instance);
        restarted.Start();
        await Eventually.TrueAsync(
            async () => await store.CountAsync("outage-agent", TestContext.Current.CancellationToken) >= 900,
            () =>
                $"all 900 measurements stored; the restarted ingest stored {restarted.Ingested} "
                    + $"(+{restarted.Duplicates} duplicates)",
            seconds: 30);
        await Task.Delay(200, TestContext.Current.CancellationToken);
        Assert.Equal(900, await store.CountAsync("outage-agent", TestContext.Current.CancellationToken));
        Assert.Equal(900, (await store.IdsAsync("outage-agent", TestContext.Current.CancellationToken)).Count);
        Assert.Equal(600, restarted.Ingested);
        Assert.Equal(0, restarted.Rejected);
        Assert.Equal(0, second.Outbox.DroppedMeasurements);
        await Eventually.TrueAsync(() => second.Outbox.Count == 0, "the trainer's acks emptied the outbox");
    }

    [Theory]
    [InlineData(StoreDialect.Sqlite)]
    [InlineData(StoreDialect.PostgreSql)]
    public async Task Redelivered_batches_are_stored_once(StoreDialect dialect)
    {
        await using var broker = TestBroker.Create("mqttnet");
        await broker.StartAsync();
        using var folder = new TempFolder();
        var target = dialect == StoreDialect.Sqlite ? folder.Path("trainer.db") : await postgres.NewDatabaseAsync();
        await using var store = await MeasurementStore.OpenAsync(target, TestContext.Current.CancellationToken);
        await using var ingest = new MeasurementIngest(new BrokerOptions { Host = "127.0.0.1", Port = broker.Port,
            UseTls = false, AllowPlaintext = true, ClientId = "ingest-dupes" }, store, new TrainerMetrics(),
                NullLogger.Instance);
        ingest.Start();
        await ingest.WaitConnectedAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        await using var publisher = await TopicRecorder.ConnectAsync(broker.Port);
        var batch = MessagingArbitraries.Batch(count: 20, seed: 9);
        var frame = batch.Encode();
        var topic = Edge.Domain.Messaging.EdgeTopics.For("dupe-agent", Edge.Domain.Messaging.TopicKind.Measurements);
        await publisher.PublishAsync(topic, frame);
        await publisher.PublishAsync(topic, frame);
        await publisher.PublishAsync(topic, [1, 2, 3]);
        await Eventually.TrueAsync(() => ingest.Ingested + ingest.Duplicates == 40 && ingest.Rejected == 1,
            "both copies and the malformed message processed");
        Assert.Equal(20, ingest.Ingested);
        Assert.Equal(20, ingest.Duplicates);
        Assert.Equal(20, await store.CountAsync("dupe-agent", TestContext.Current.CancellationToken));
        Assert.Equal(batch.Ids.ToHashSet(), await store.IdsAsync("dupe-agent", TestContext.Current.CancellationToken));
    }

    private static void Produce(AgentInstance agent, Edge.Domain.Specs.LayerSpec spec, int count, ulong seed)
    {
        var drives = PatLoopTests.Drives(spec, count, seed);
        var responses = new float[spec.OutputSize];
        for (var i = 0; i < count; i++)
        {
            responses[0] = i;
            agent.Recorder.Record(drives.AsSpan(i * spec.DriveLength, spec.DriveLength), responses,
                DateTimeOffset.UtcNow);
        }
    }
}
