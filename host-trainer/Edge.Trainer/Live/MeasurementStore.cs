using System.Data.Common;
using System.Runtime.InteropServices;
using Edge.Domain.Messaging;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Edge.Trainer.Live;

/// <summary>
/// Durable store of ingested measurements, deduplicated by measurement id (the primary key; a redelivered batch
/// inserts nothing). SQLite (WAL) by default, PostgreSQL when the connection string names a <c>Host=</c>; both get
/// the same versioned schema (<see cref="StoreMigrations"/>). Not thread-safe: one writer, as the ingest is.
/// </summary>
public sealed class MeasurementStore : IAsyncDisposable
{
    private readonly DbConnection _connection;

    private MeasurementStore(DbConnection connection, StoreDialect dialect)
    {
        _connection = connection;
        Dialect = dialect;
    }

    /// <summary>Which database this is.</summary>
    public StoreDialect Dialect { get; }

    /// <summary>The schema version after migration.</summary>
    public int SchemaVersion { get; private set; }

    /// <summary>
    /// Opens the store: <paramref name="target"/> is a SQLite file path, or a PostgreSQL connection string
    /// (<c>Host=...;Database=...;Username=...</c>). Applies pending migrations.
    /// </summary>
    public static async Task<MeasurementStore> OpenAsync(string target, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        var postgres = target.Contains("Host=", StringComparison.OrdinalIgnoreCase);
        DbConnection connection = postgres
            ? new NpgsqlConnection(target)
            : new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = target, Pooling = false }.ToString());
        var store = new MeasurementStore(connection, postgres ? StoreDialect.PostgreSql : StoreDialect.Sqlite);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            if (!postgres)
            {
                await store.ExecuteAsync("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", cancellationToken).ConfigureAwait(false);
            }

            await store.MigrateAsync(cancellationToken).ConfigureAwait(false);
            return store;
        }
        catch (DbException e)
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException($"Measurement store '{(postgres ? "PostgreSQL" : target)}' cannot be opened: {e.Message}", e);
        }
    }

    /// <summary>Stores <paramref name="batch"/> from <paramref name="deviceId"/> in one transaction; returns how many were new (the rest were duplicates).</summary>
    public async Task<int> AddAsync(string deviceId, MeasurementBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        await using var transaction = await _connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var insert = _connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """
            INSERT INTO measurements(id, device_id, ts_ms, input_size, drive_length, output_size, inputs, drives, responses)
            VALUES (@id, @device, @ts, @ni, @nd, @no, @inputs, @drives, @responses)
            ON CONFLICT (id) DO NOTHING
            """;
        var id = Parameter(insert, "@id");
        Parameter(insert, "@device").Value = deviceId;
        var ts = Parameter(insert, "@ts");
        Parameter(insert, "@ni").Value = batch.InputSize;
        Parameter(insert, "@nd").Value = batch.DriveLength;
        Parameter(insert, "@no").Value = batch.OutputSize;
        var inputs = Parameter(insert, "@inputs");
        var drives = Parameter(insert, "@drives");
        var responses = Parameter(insert, "@responses");
        await insert.PrepareAsync(cancellationToken).ConfigureAwait(false);
        var added = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            id.Value = batch.Ids[i].ToByteArray();
            ts.Value = batch.Timestamps[i];
            inputs.Value = Bytes(batch.Inputs.AsSpan(i * batch.InputSize, batch.InputSize));
            drives.Value = Bytes(batch.Drives.AsSpan(i * batch.DriveLength, batch.DriveLength));
            responses.Value = Bytes(batch.Responses.AsSpan(i * batch.OutputSize, batch.OutputSize));
            added += await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return added;
    }

    /// <summary>Number of stored measurements, of one device or (null) of all.</summary>
    public async Task<long> CountAsync(string? deviceId = null, CancellationToken cancellationToken = default)
    {
        await using var count = _connection.CreateCommand();
        count.CommandText = deviceId is null ? "SELECT count(*) FROM measurements" : "SELECT count(*) FROM measurements WHERE device_id = @device";
        if (deviceId is not null)
        {
            Parameter(count, "@device").Value = deviceId;
        }

        return Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The ids of every stored measurement of <paramref name="deviceId"/>.</summary>
    public async Task<HashSet<Guid>> IdsAsync(string deviceId, CancellationToken cancellationToken = default)
    {
        await using var select = _connection.CreateCommand();
        select.CommandText = "SELECT id FROM measurements WHERE device_id = @device";
        Parameter(select, "@device").Value = deviceId;
        var ids = new HashSet<Guid>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            ids.Add(new Guid((byte[])reader[0]));
        }

        return ids;
    }

    /// <summary>
    /// The newest <paramref name="max"/> measurements of <paramref name="deviceId"/>, oldest first, as row-major drives
    /// and responses (for refitting the twin).
    /// </summary>
    public async Task<(float[] Drives, float[] Responses, int DriveLength, int OutputSize)> LoadAsync(string deviceId, int max, CancellationToken cancellationToken = default)
    {
        await using var select = _connection.CreateCommand();
        select.CommandText = "SELECT drive_length, output_size, drives, responses FROM measurements WHERE device_id = @device ORDER BY ts_ms DESC, id LIMIT @max";
        Parameter(select, "@device").Value = deviceId;
        Parameter(select, "@max").Value = max;
        var drives = new List<float>();
        var responses = new List<float>();
        int driveLength = 0, outputSize = 0;
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var (nd, no) = (reader.GetInt32(0), reader.GetInt32(1));
            if ((driveLength, outputSize) != (0, 0) && (nd, no) != (driveLength, outputSize))
            {
                // The device changed its layer; only the newest shape is usable for one twin.
                break;
            }

            (driveLength, outputSize) = (nd, no);
            drives.AddRange(MemoryMarshal.Cast<byte, float>((byte[])reader[2]));
            responses.AddRange(MemoryMarshal.Cast<byte, float>((byte[])reader[3]));
        }

        return (drives.ToArray(), responses.ToArray(), driveLength, outputSize);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await _connection.DisposeAsync().ConfigureAwait(false);

    private async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await ExecuteAsync("CREATE TABLE IF NOT EXISTS schema_version(version INTEGER NOT NULL)", cancellationToken).ConfigureAwait(false);
        await using var read = _connection.CreateCommand();
        read.CommandText = "SELECT max(version) FROM schema_version";
        var current = await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is { } value and not DBNull
            ? Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture)
            : 0;
        var migrations = StoreMigrations.For(Dialect);
        if (current > migrations.Length)
        {
            throw new InvalidOperationException($"Measurement store schema version {current} is newer than this trainer knows ({migrations.Length}); upgrade the trainer.");
        }

        for (var version = current; version < migrations.Length; version++)
        {
            await using var transaction = await _connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using var migrate = _connection.CreateCommand();
            migrate.Transaction = transaction;
            migrate.CommandText = migrations[version] + $"; INSERT INTO schema_version(version) VALUES ({version + 1})";
            await migrate.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        SchemaVersion = migrations.Length;
    }

    private async Task ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        await using var command = _connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static DbParameter Parameter(DbCommand command, string name)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        command.Parameters.Add(parameter);
        return parameter;
    }

    private static byte[] Bytes(ReadOnlySpan<float> values) => MemoryMarshal.AsBytes(values).ToArray();
}
