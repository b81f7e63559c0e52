using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Runtime.InteropServices;
using Edge.Domain.Messaging;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Edge.Trainer.Live;

/// <summary>
/// Durable store of ingested measurements, deduplicated by measurement id (the primary key; a redelivered batch
/// inserts nothing). SQLite (WAL, synchronous=FULL: a committed batch survives a power cut, which matters because the
/// broker forgets a batch once the ingest acknowledges it) by default, PostgreSQL when the connection string names a
/// <c>Host=</c>; both get the same versioned schema (<see cref="StoreMigrations"/>). Writes are bulk (multi-row
/// prepared inserts on SQLite, binary COPY on PostgreSQL) and several batches can share one transaction, i.e. one
/// fsync. Thread-safe: operations on the one connection are serialised. A PostgreSQL connection that broke (server
/// restart, network) is reopened by the next operation.
/// </summary>
public sealed class MeasurementStore : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly DbConnection _connection;
    private readonly string _name;
    private SqliteMeasurementWriter? _sqliteWriter;
    private PostgresMeasurementWriter? _postgresWriter;

    private MeasurementStore(DbConnection connection, StoreDialect dialect, string name)
    {
        (_connection, Dialect, _name) = (connection, dialect, name);
    }

    /// <summary>Which database this is.</summary>
    public StoreDialect Dialect { get; }

    /// <summary>The schema version after migration.</summary>
    public int SchemaVersion { get; private set; }

    /// <summary>
    /// Opens the store: <paramref name="target"/> is a SQLite file path, or a PostgreSQL connection string
    /// (<c>Host=...;Database=...;Username=...</c>). Applies pending migrations (safe when several trainers open the
    /// same database at once: the migration runs under a lock, once).
    /// </summary>
    /// <exception cref="InvalidOperationException">The database cannot be opened or its schema is newer than this
    /// trainer; the message names the store.</exception>
    public static async Task<MeasurementStore> OpenAsync(string target, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        var postgres = target.Contains("Host=", StringComparison.OrdinalIgnoreCase);
        MeasurementStore store;
        if (postgres)
        {
            NpgsqlConnectionStringBuilder settings;
            try
            {
                settings = new NpgsqlConnectionStringBuilder(target);
            }
            catch (ArgumentException e)
            {
                throw new
                    InvalidOperationException($"Measurement store: the PostgreSQL connection string is malformed: "
                        + $"{e.Message}", e);
            }

            store = new MeasurementStore(new NpgsqlConnection(target), StoreDialect.PostgreSql,
                $"PostgreSQL {settings.Host}:{settings.Port}/{settings.Database ?? settings.Username}");
        }
        else
        {
            store = new MeasurementStore(new SqliteConnection(new SqliteConnectionStringBuilder { DataSource =
                target, Pooling = false }.ToString()), StoreDialect.Sqlite, target);
        }

        try
        {
            await store.EnsureOpenAsync(cancellationToken).ConfigureAwait(false);
            await store.MigrateAsync(cancellationToken).ConfigureAwait(false);
            return store;
        }
        catch (InvalidOperationException e)
            when (e.InnerException is null && e.Message.StartsWith("Measurement store", StringComparison.Ordinal))
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        catch (Exception e)
            when (e is DbException or InvalidOperationException or TimeoutException
                or System.Net.Sockets.SocketException)
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException($"Measurement store '{store._name}' cannot be opened: {e.Message}", e);
        }
    }

    /// <summary>Stores <paramref name="batch"/> from <paramref name="deviceId"/> in one transaction; returns how many
    /// were new (the rest were duplicates).</summary>
    public Task<int> AddAsync(string deviceId, MeasurementBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return AddAsync([new DeviceMeasurements(deviceId, batch)], cancellationToken);
    }

    /// <summary>
    /// Stores several batches in one transaction (one commit, one fsync): all of them or, on an error, none.
    /// Returns how many measurements were new in total (the rest were duplicates); <paramref name="addedPerBatch"/>,
    /// when given, receives the count of each batch (for per-device metrics).
    /// </summary>
    public async Task<int> AddAsync(
        IReadOnlyList<DeviceMeasurements> batches,
        CancellationToken cancellationToken = default,
        int[]? addedPerBatch = null)
    {
        ArgumentNullException.ThrowIfNull(batches);
        if (addedPerBatch is not null && addedPerBatch.Length < batches.Count)
        {
            throw new ArgumentException("One count per batch is needed.", nameof(addedPerBatch));
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await EnsureOpenAsync(cancellationToken).ConfigureAwait(false);

            // Writers are set up after the migrations (they need the table), once per opened connection.
            if (_connection is NpgsqlConnection session && _postgresWriter is null)
            {
                await PostgresMeasurementWriter.PrepareSessionAsync(session, cancellationToken).ConfigureAwait(false);
                _postgresWriter = new PostgresMeasurementWriter();
            }

            _sqliteWriter ??= _connection is SqliteConnection sqlite ? new SqliteMeasurementWriter(sqlite) : null;
            await using var transaction = await _connection.BeginTransactionAsync(cancellationToken)
                .ConfigureAwait(false);
            var added = 0;
            for (var b = 0; b < batches.Count; b++)
            {
                var (deviceId, batch) = batches[b];
                ArgumentNullException.ThrowIfNull(batch);
                EdgeTopics.ValidateDeviceId(deviceId);
                var inserted = _connection is NpgsqlConnection postgres
                    ? await _postgresWriter!.InsertAsync(postgres, deviceId, batch,
                        cancellationToken).ConfigureAwait(false)
                    : _sqliteWriter!.Insert(deviceId, batch);
                added += inserted;
                addedPerBatch?[b] = inserted;
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return added;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Checks that the database answers (<c>SELECT 1</c>, reconnecting if needed); returns null when it does, otherwise
    /// the problem. Never throws for an unreachable database: this is what a health check asks.
    /// </summary>
    public async Task<string?> ProbeAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await _gate.WaitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"measurement store {Dialect} busy for more than {timeout.TotalSeconds:0.#} s";
        }

        try
        {
            await EnsureOpenAsync(deadline.Token).ConfigureAwait(false);
            await using var ping = _connection.CreateCommand();
            ping.CommandText = "SELECT 1";
            await ping.ExecuteScalarAsync(deadline.Token).ConfigureAwait(false);
            return null;
        }
        catch (Exception e)
            when (e is DbException or InvalidOperationException or TimeoutException
                or System.Net.Sockets.SocketException
            || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return $"measurement store {Dialect} unreachable: {e.Message}";
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Number of stored measurements, of one device or (null) of all.</summary>
    public async Task<long> CountAsync(string? deviceId = null, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await EnsureOpenAsync(cancellationToken).ConfigureAwait(false);
            await using var count = _connection.CreateCommand();
            count.CommandText = deviceId is null ? "SELECT count(*) FROM measurements"
                : "SELECT count(*) FROM measurements WHERE device_id = @device";
            if (deviceId is not null)
            {
                Parameter(count, "@device").Value = deviceId;
            }

            return Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false),
                CultureInfo.InvariantCulture);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The ids of every stored measurement of <paramref name="deviceId"/>.</summary>
    public async Task<HashSet<Guid>> IdsAsync(string deviceId, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await EnsureOpenAsync(cancellationToken).ConfigureAwait(false);
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
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// The newest <paramref name="max"/> measurements of <paramref name="deviceId"/>, oldest first, as row-major drives
    /// and responses (for refitting the twin).
    /// </summary>
    public async Task<(float[] Drives, float[] Responses, int DriveLength, int OutputSize)> LoadAsync(string deviceId,
        int max, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await EnsureOpenAsync(cancellationToken).ConfigureAwait(false);
            await using var select = _connection.CreateCommand();
            select.CommandText =
                "SELECT drive_length, output_size, drives, responses FROM measurements WHERE device_id = @device ORDER "
                    + "BY ts_ms DESC, id LIMIT @max";
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
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> on the store's connection (reopened if it broke), serialised with every other
    /// operation: the field-update ledger keeps its tables in the same database.
    /// </summary>
    internal async Task<T> UseAsync<T>(
        Func<DbConnection, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await EnsureOpenAsync(cancellationToken).ConfigureAwait(false);
            return await work(_connection, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        _sqliteWriter?.Dispose();
        await _connection.DisposeAsync().ConfigureAwait(false);
        _gate.Release();
    }

    /// <summary>Opens the connection if it is not open (first use, or a PostgreSQL connection that broke) and sets up
    /// the session.</summary>
    private async Task EnsureOpenAsync(CancellationToken cancellationToken)
    {
        if (_connection.State == ConnectionState.Open)
        {
            return;
        }

        _sqliteWriter?.Dispose();
        (_sqliteWriter, _postgresWriter) = (null, null);
        if (_connection.State != ConnectionState.Closed)
        {
            await _connection.CloseAsync().ConfigureAwait(false);
        }

        await _connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        if (Dialect == StoreDialect.Sqlite)
        {
            await
                ExecuteAsync("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000; PRAGMA "
                    + "wal_autocheckpoint=16384;", cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task MigrateAsync(CancellationToken cancellationToken)
    {
        // One transaction under a lock (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory lock), so trainers opening a
        // fresh database at the same moment migrate it once and both see the result.
        await using var transaction = await _connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (Dialect == StoreDialect.PostgreSql)
        {
            await ExecuteAsync("SELECT pg_advisory_xact_lock(7358421)", cancellationToken,
                transaction).ConfigureAwait(false);
        }

        await ExecuteAsync("CREATE TABLE IF NOT EXISTS schema_version(version INTEGER NOT NULL)", cancellationToken,
            transaction).ConfigureAwait(false);
        await using var read = _connection.CreateCommand();
        read.Transaction = transaction;
        read.CommandText = "SELECT max(version) FROM schema_version";
        var current = await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is { } value and not DBNull
            ? Convert.ToInt32(value, CultureInfo.InvariantCulture)
            : 0;
        var migrations = StoreMigrations.For(Dialect);
        if (current > migrations.Length)
        {
            throw new
                InvalidOperationException($"Measurement store '{_name}': schema version {current} is newer than this "
                    + $"trainer knows ({migrations.Length}); upgrade the trainer.");
        }

        for (var version = current; version < migrations.Length; version++)
        {
            await ExecuteAsync(migrations[version] + $"; INSERT INTO schema_version(version) VALUES ({version + 1})",
                cancellationToken, transaction).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        SchemaVersion = migrations.Length;
    }

    private async Task ExecuteAsync(string sql, CancellationToken cancellationToken, DbTransaction? transaction = null)
    {
        await using var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Adds a named parameter to <paramref name="command"/> (same syntax on both dialects).</summary>
    internal static DbParameter Parameter(DbCommand command, string name)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        command.Parameters.Add(parameter);
        return parameter;
    }
}
