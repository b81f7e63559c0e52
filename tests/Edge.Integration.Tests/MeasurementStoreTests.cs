using Edge.Trainer.Live;
using Microsoft.Data.Sqlite;

namespace Edge.Integration.Tests;

/// <summary>The trainer's store (SQLite path): versioned schema, deduplication, bad targets; broker address
/// parsing.</summary>
public sealed class MeasurementStoreTests
{
    [Fact]
    public async Task Reopening_keeps_the_schema_and_the_data_and_a_newer_schema_is_refused()
    {
        using var folder = new TempFolder();
        var path = folder.Path("trainer.db");
        var batch = MessagingArbitraries.Batch(5, seed: 2);
        await using (var store = await MeasurementStore.OpenAsync(path, TestContext.Current.CancellationToken))
        {
            Assert.Equal((StoreDialect.Sqlite, 6), (store.Dialect, store.SchemaVersion));
            Assert.Equal(5, await store.AddAsync("d", batch, TestContext.Current.CancellationToken));
            Assert.Equal(0, await store.AddAsync("d", batch, TestContext.Current.CancellationToken));
        }

        await using (var reopened = await MeasurementStore.OpenAsync(path, TestContext.Current.CancellationToken))
        {
            Assert.Equal(5, await reopened.CountAsync("d", TestContext.Current.CancellationToken));
            var (drives, responses, driveLength, outputSize) = await reopened.LoadAsync("d", 10,
                TestContext.Current.CancellationToken);
            Assert.Equal((5 * 5, 5 * 2, 5, 2), (drives.Length, responses.Length, driveLength, outputSize));
            Assert.Equal(batch.Drives.Order(), drives.Order());
        }

        using (var connection = new SqliteConnection($"Data Source={path};Pooling=false"))
        {
            connection.Open();
            using var bump = connection.CreateCommand();
            bump.CommandText = "INSERT INTO schema_version(version) VALUES (7)";
            bump.ExecuteNonQuery();
        }

        var error = await Assert.ThrowsAsync<InvalidOperationException>(()
            => MeasurementStore.OpenAsync(path, TestContext.Current.CancellationToken));
        Assert.Contains("schema version 7", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_that_is_not_a_database_is_refused_naming_it()
    {
        using var folder = new TempFolder();
        var path = folder.Path("trainer.db");
        await File.WriteAllTextAsync(path, new string('x', 4096), TestContext.Current.CancellationToken);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(()
            => MeasurementStore.OpenAsync(path, TestContext.Current.CancellationToken));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Host=127.0.0.1;Port=1;Username=edge;Timeout=3",
        "Measurement store 'PostgreSQL 127.0.0.1:1/edge' cannot be opened")]
    [InlineData("Host=127.0.0.1;Flavour=strawberry", "PostgreSQL connection string is malformed")]
    public async Task A_postgres_store_that_cannot_be_reached_or_parsed_is_refused_naming_it(string target,
        string expected)
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(()
            => MeasurementStore.OpenAsync(target, TestContext.Current.CancellationToken));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mqtts://broker:99999", "not a TCP port")]
    [InlineData("mqtts://broker:abc", "not a TCP port")]
    [InlineData("mqtt://:1883", "not a host name")]
    [InlineData("mqtts://bad host:1883", "not a host name")]
    [InlineData("broker:1883", "is not mqtts://host[:port] or mqtt://host[:port]")]
    public void Bad_broker_addresses_are_refused_naming_the_part(string broker, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => BrokerOptions.Parse(broker, "t"));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tls_broker_address_without_port_uses_8883()
    {
        Assert.Equal(("mq.local", 8883, true),
            (BrokerOptions.Parse("mqtts://mq.local", "t").Host, BrokerOptions.Parse("mqtts://mq.local", "t").Port,
                BrokerOptions.Parse("mqtts://mq.local", "t").UseTls));
    }
}
