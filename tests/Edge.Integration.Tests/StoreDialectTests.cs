using System.Data.Common;
using Edge.Trainer.Live;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Edge.Integration.Tests;

/// <summary>
/// The measurement store on both databases it supports, SQLite and a real PostgreSQL server the tests start
/// themselves: same schema and migrations, deduplication by id, concurrent writers of the same batches.
/// </summary>
public sealed class StoreDialectTests(PostgresFixture postgres) : IDisposable
{
    private readonly TempFolder _folder = new();

    public static TheoryData<StoreDialect> Dialects => [StoreDialect.Sqlite, StoreDialect.PostgreSql];

    [Theory]
    [MemberData(nameof(Dialects))]
    public async Task
        Trainers_opening_a_fresh_database_together_migrate_it_once_and_a_newer_schema_is_refused(StoreDialect dialect)
    {
        var target = await TargetAsync(dialect);
        var stores = await Task.WhenAll(Enumerable.Range(0,
            4).Select(_ => MeasurementStore.OpenAsync(target, TestContext.Current.CancellationToken)));
        foreach (var store in stores)
        {
            Assert.Equal((dialect, 6), (store.Dialect, store.SchemaVersion));
            await store.DisposeAsync();
        }

        Assert.Equal(6L, await ScalarAsync(dialect, target, "SELECT count(*) FROM schema_version"));
        await using (var store = await MeasurementStore.OpenAsync(target, TestContext.Current.CancellationToken))
        {
            Assert.Equal(4,
                await store.AddAsync("agent-1", MessagingArbitraries.Batch(4, seed: 1),
                    TestContext.Current.CancellationToken));
        }

        await using (var reopened = await MeasurementStore.OpenAsync(target, TestContext.Current.CancellationToken))
        {
            Assert.Equal(4, await reopened.CountAsync("agent-1", TestContext.Current.CancellationToken));
        }

        await ScalarAsync(dialect, target, "INSERT INTO schema_version(version) VALUES (7)");
        var error = await Assert.ThrowsAsync<InvalidOperationException>(()
            => MeasurementStore.OpenAsync(target, TestContext.Current.CancellationToken));
        Assert.Contains("schema version 7 is newer", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Dialects))]
    public async Task Redelivered_and_overlapping_batches_store_each_id_once_with_its_values(StoreDialect dialect)
    {
        await using var store = await MeasurementStore.OpenAsync(await TargetAsync(dialect),
            TestContext.Current.CancellationToken);
        var first = MessagingArbitraries.Batch(300, seed: 3, inputSize: 12, driveLength: 24, outputSize: 12);
        Assert.Equal(300, await store.AddAsync("agent-1", first, TestContext.Current.CancellationToken));
        Assert.Equal(0, await store.AddAsync("agent-1", first, TestContext.Current.CancellationToken));

        // A batch holding 100 stored ids and 50 new ones, stored in one transaction with a redelivery of the first.
        var fresh = MessagingArbitraries.Batch(50, seed: 4, inputSize: 12, driveLength: 24, outputSize: 12);
        var overlap = Concat(Slice(first, 100, 100), fresh);
        Assert.Equal(50,
            await store.AddAsync([new("agent-1", overlap), new("agent-1", first), new("agent-2", fresh)],
                TestContext.Current.CancellationToken));
        Assert.Equal(350, await store.CountAsync("agent-1", TestContext.Current.CancellationToken));
        Assert.Equal(0, await store.CountAsync("agent-2", TestContext.Current.CancellationToken));
        Assert.Equal(first.Ids.Concat(fresh.Ids).ToHashSet(),
            await store.IdsAsync("agent-1", TestContext.Current.CancellationToken));

        // Values round-trip bit for bit (newest first by timestamp; the fixtures' timestamps repeat, so compare as
        // sets).
        var (drives, responses, driveLength, outputSize) = await store.LoadAsync("agent-1", 1000,
            TestContext.Current.CancellationToken);
        Assert.Equal((24, 12), (driveLength, outputSize));
        Assert.Equal(first.Drives.Concat(fresh.Drives).Order(), drives.Order());
        Assert.Equal(first.Responses.Concat(fresh.Responses).Order(), responses.Order());
    }

    [Theory]
    [MemberData(nameof(Dialects))]
    public async Task Concurrent_writers_of_the_same_batches_store_every_measurement_exactly_once(StoreDialect dialect)
    {
        var target = await TargetAsync(dialect);
        var batches = Enumerable.Range(0,
            6).Select(i => MessagingArbitraries.Batch(200, seed: (ulong)(10 + i))).ToArray();
        var stores = await Task.WhenAll(Enumerable.Range(0,
            4).Select(_ => MeasurementStore.OpenAsync(target, TestContext.Current.CancellationToken)));
        try
        {
            // Each writer sends every batch, in its own order and grouping, all at the same time.
            var added = await Task.WhenAll(stores.Select((store, w) => Task.Run(
                async () =>
                {
                    var total = 0;
                    var order = batches.Select((b, i) => (b, i)).OrderBy(x => (x.i * (w + 1) * 7) % batches.Length)
                        .Select(x => x.b).ToArray();
                    for (var i = 0; i < order.Length; i += w + 1)
                    {
                        total
                            += await store.AddAsync(order.Skip(i).Take(w + 1)
                                .Select(b => new DeviceMeasurements("agent-c", b)).ToList(),
                                    TestContext.Current.CancellationToken);
                    }

                    return total;
                },
                TestContext.Current.CancellationToken)));
            Assert.Equal(1200, added.Sum());
            Assert.Equal(1200, await stores[0].CountAsync("agent-c", TestContext.Current.CancellationToken));
        }
        finally
        {
            foreach (var store in stores)
            {
                await store.DisposeAsync();
            }
        }
    }

    [Theory]
    [MemberData(nameof(Dialects))]
    public async Task A_bad_device_id_fails_the_whole_transaction_and_stores_nothing(StoreDialect dialect)
    {
        await using var store = await MeasurementStore.OpenAsync(await TargetAsync(dialect),
            TestContext.Current.CancellationToken);
        var good = MessagingArbitraries.Batch(10, seed: 5);
        await Assert.ThrowsAsync<ArgumentException>(()
            => store.AddAsync([new("agent-1", good), new("bad/id", MessagingArbitraries.Batch(3, seed: 6))],
                TestContext.Current.CancellationToken));
        Assert.Equal(0, await store.CountAsync(cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(10, await store.AddAsync("agent-1", good, TestContext.Current.CancellationToken));
        Assert.Null(await store.ProbeAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken));
    }

    public void Dispose() => _folder.Dispose();

    private async Task<string> TargetAsync(StoreDialect dialect) =>
        dialect == StoreDialect.Sqlite ? _folder.Path($"trainer-{Guid.NewGuid():N}.db")
            : await postgres.NewDatabaseAsync();

    private static async Task<long> ScalarAsync(StoreDialect dialect, string target, string sql)
    {
        await using DbConnection connection = dialect == StoreDialect.Sqlite
            ? new SqliteConnection($"Data Source={target};Pooling=false") : new NpgsqlConnection(target);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken) ?? 0L,
            System.Globalization.CultureInfo.InvariantCulture);
    }

    private static Edge.Domain.Messaging.MeasurementBatch Slice(Edge.Domain.Messaging.MeasurementBatch b, int start,
        int count) => new(
        b.InputSize, b.DriveLength, b.OutputSize, b.Ids[start..(start + count)], b.Timestamps[start..(start + count)],
        b.Inputs[(start * b.InputSize)..((start + count) * b.InputSize)],
            b.Drives[(start * b.DriveLength)..((start + count) * b.DriveLength)],
                b.Responses[(start * b.OutputSize)..((start + count) * b.OutputSize)]);

    private static Edge.Domain.Messaging.MeasurementBatch Concat(Edge.Domain.Messaging.MeasurementBatch a,
        Edge.Domain.Messaging.MeasurementBatch b) => new(
        a.InputSize, a.DriveLength, a.OutputSize, [.. a.Ids, .. b.Ids], [.. a.Timestamps, .. b.Timestamps],
            [.. a.Inputs, .. b.Inputs], [.. a.Drives, .. b.Drives], [.. a.Responses, .. b.Responses]);
}
