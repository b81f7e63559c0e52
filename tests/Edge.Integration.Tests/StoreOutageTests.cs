using Edge.Domain.Messaging;
using Edge.Testing;
using Edge.Trainer.Live;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Integration.Tests;

/// <summary>Faults of the trainer's store: a PostgreSQL server that goes away while batches arrive.</summary>
public sealed class StoreOutageTests
{
    [Fact]
    public async Task Batches_arriving_while_postgres_is_down_are_left_to_the_broker_and_stored_once_it_is_back()
    {
        PostgresFixture.Require();
        await using var server = await PostgresServer.StartAsync(durable: false, TestContext.Current.CancellationToken);
        var target = await server.CreateDatabaseAsync("outage", TestContext.Current.CancellationToken);
        await using var broker = TestBroker.Create("mosquitto");
        await broker.StartAsync();
        await using var store = await MeasurementStore.OpenAsync(target, TestContext.Current.CancellationToken);
        var metrics = new TrainerMetrics();
        await using var ingest = new MeasurementIngest(new BrokerOptions { Host = "127.0.0.1", Port = broker.Port,
            UseTls = false, AllowPlaintext = true, ClientId = "ingest-pg-outage" }, store, metrics,
                NullLogger.Instance);
        ingest.Start();
        await ingest.WaitConnectedAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        await using var agent = await TopicRecorder.ConnectAsync(broker.Port);
        var topic = EdgeTopics.For("pg-agent", TopicKind.Measurements);
        var batches = Enumerable.Range(0,
            8).Select(i => MessagingArbitraries.Batch(100, seed: (ulong)(40 + i))).ToArray();

        await agent.PublishAsync(topic, batches[0].Encode());
        await Eventually.TrueAsync(() => ingest.Ingested == 100, "the first batch stored");

        await server.StopAsync(TestContext.Current.CancellationToken);
        Assert.Contains("unreachable",
            await store.ProbeAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken),
                StringComparison.Ordinal);
        var health = await TrainerHealth.CheckAsync(ingest, store, TimeSpan.FromSeconds(5),
            TestContext.Current.CancellationToken);
        Assert.False(health.Healthy);
        using (var report = System.Text.Json.JsonDocument.Parse(health.Report().ToJson()))
        {
            Assert.Equal("unhealthy", report.RootElement.GetProperty("status").GetString());
            var check = report.RootElement.GetProperty("checks").GetProperty("store");
            Assert.Equal("unhealthy", check.GetProperty("status").GetString());
            Assert.Contains("PostgreSql unreachable", check.GetProperty("detail").GetString(),
                StringComparison.Ordinal);
        }

        foreach (var batch in batches[1..])
        {
            await agent.PublishAsync(topic, batch.Encode());
        }

        await Eventually.TrueAsync(() => ingest.StoreProblem is not null && !ingest.IsConnected,
            "the ingest noticed the store failing and left the batches to the broker");
        Assert.True(metrics.StoreErrors.Value >= 1);
        Assert.Equal(100, ingest.Ingested);

        await server.StartServerAsync(TestContext.Current.CancellationToken);
        await Eventually.TrueAsync(()
            => Task.FromResult(ingest.Ingested + ingest.Duplicates >= 800 && ingest.IsConnected),
                () =>
                    $"all 800 measurements stored after the restart (stored {ingest.Ingested}, duplicates "
                        + $"{ingest.Duplicates})", seconds: 40);
        Assert.Null(ingest.StoreProblem);
        Assert.True((await TrainerHealth.CheckAsync(ingest, store, TimeSpan.FromSeconds(5),
            TestContext.Current.CancellationToken)).Healthy);
        Assert.Equal(800, await store.CountAsync("pg-agent", TestContext.Current.CancellationToken));
        Assert.Equal(batches.SelectMany(b => b.Ids).ToHashSet(),
            await store.IdsAsync("pg-agent", TestContext.Current.CancellationToken));
        Assert.Equal(0, ingest.Rejected);
    }
}
