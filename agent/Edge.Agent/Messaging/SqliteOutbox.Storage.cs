using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Edge.Agent.Messaging;

/// <summary>Opening the database, setting a corrupt one aside, and staying up while it fails.</summary>
public sealed partial class SqliteOutbox
{
    private const int SqliteCorrupt = 11;
    private const int SqliteNotADatabase = 26;
    private const int SqliteCantOpen = 14;

    /// <summary>After a failed open, the next write waits this long before trying again (no retry storm).</summary>
    private static readonly TimeSpan ReopenInterval = TimeSpan.FromSeconds(2);

    private long _lastOpenAttempt = long.MinValue;
    private long _storageErrors;
    private volatile string? _problem;
    private int _pageLimit;

    /// <summary>Why the database cannot be written, until a write succeeds again; null while it works.</summary>
    public string? Problem => _problem;

    /// <summary>Failed database operations since the outbox was opened.</summary>
    public long StorageErrors => Volatile.Read(ref _storageErrors);

    /// <summary>Where a corrupt outbox file was moved when it was found; null when none was.</summary>
    public string? SetAsidePath { get; private set; }

    /// <summary>
    /// Raised (under the outbox's lock: handlers must not call back into it) when writing starts failing.
    /// </summary>
    public event Action<string>? StorageFailed;

    /// <summary>Raised (under the outbox's lock) when a write succeeds again after a failure.</summary>
    public event Action? StorageRecovered;

    /// <summary>
    /// Caps the database at <paramref name="pages"/> pages (SQLite <c>max_page_count</c>) so writes fail with
    /// SQLite error 13 (full) as on a full disk: the fault tests' stand-in for a full volume when they cannot mount
    /// one.
    /// </summary>
    internal void LimitPages(int pages)
    {
        lock (_gate)
        {
            _pageLimit = pages;
            ApplyPageLimit(Open());
        }
    }

    private SqliteConnection Open()
    {
        if (_connection is { } open)
        {
            return open;
        }

        var now = Clock.GetTimestamp();
        if (_lastOpenAttempt != long.MinValue && Clock.GetElapsedTime(_lastOpenAttempt, now) < ReopenInterval)
        {
            throw new SqliteException($"the outbox is not open ({_problem})", SqliteCantOpen);
        }

        _lastOpenAttempt = now;
        return TryOpen(setAsideCorrupt: true)
            ?? throw new SqliteException($"the outbox cannot be opened ({_problem})", SqliteCantOpen);
    }

    private SqliteConnection? TryOpen(bool setAsideCorrupt)
    {
        var settings = new SqliteConnectionStringBuilder { DataSource = _path, Pooling = false };
        var connection = new SqliteConnection(settings.ToString());
        try
        {
            connection.Open();
            Execute(connection, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
            Execute(connection, """
                CREATE TABLE IF NOT EXISTS outbox(
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    message_id BLOB NOT NULL,
                    topic TEXT NOT NULL,
                    payload BLOB NOT NULL,
                    is_measurement INTEGER NOT NULL,
                    retain INTEGER NOT NULL,
                    content_type TEXT,
                    correlation BLOB);
                CREATE INDEX IF NOT EXISTS outbox_measurements ON outbox(is_measurement, seq);
                """);
            AddColumn(connection, "urgent", "INTEGER NOT NULL DEFAULT 0");
            AddColumn(connection, "attempts", "INTEGER NOT NULL DEFAULT 0");
            AddColumn(connection, "due_ms", "INTEGER NOT NULL DEFAULT 0");
            Execute(connection, """
                CREATE INDEX IF NOT EXISTS outbox_order ON outbox(urgent DESC, seq);
                CREATE INDEX IF NOT EXISTS outbox_new_measurements ON outbox(seq)
                    WHERE is_measurement = 1 AND attempts = 0;
                CREATE INDEX IF NOT EXISTS outbox_awaiting ON outbox(due_ms, seq)
                    WHERE is_measurement = 1 AND attempts > 0;
                CREATE INDEX IF NOT EXISTS outbox_message_id ON outbox(message_id);
                """);
            using var stats = connection.CreateCommand();
            stats.CommandText = """
                SELECT count(*), coalesce(sum(length(payload)), 0),
                       coalesce(sum(is_measurement = 1 AND attempts > 0), 0)
                FROM outbox
                """;
            using (var reader = stats.ExecuteReader())
            {
                reader.Read();
                (_count, _bytes, _awaitingAck) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
            }

            ApplyPageLimit(connection);
            _connection = connection;
            return connection;
        }
        catch (SqliteException e)
        {
            connection.Dispose();
            SqliteConnection.ClearAllPools();
            if (setAsideCorrupt && IsCorrupt(e))
            {
                SetAside(e);
                return TryOpen(setAsideCorrupt: false);
            }

            MarkFailed("open", e);
            return null;
        }
    }

    private void ApplyPageLimit(SqliteConnection connection)
    {
        if (_pageLimit > 0)
        {
            Execute(connection, $"PRAGMA max_page_count = {_pageLimit.ToString(CultureInfo.InvariantCulture)}");
        }
    }

    private static bool IsCorrupt(SqliteException e) => e.SqliteErrorCode is SqliteCorrupt or SqliteNotADatabase;

    /// <summary>Moves a corrupt database (and its WAL and shared-memory files) aside for a fresh one.</summary>
    private void SetAside(SqliteException e)
    {
        var stamp = Clock.GetUtcNow().ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var target = $"{_path}.corrupt-{stamp}";
        foreach (var suffix in new[] { string.Empty, "-wal", "-shm" })
        {
            if (File.Exists(_path + suffix))
            {
                File.Move(_path + suffix, target + suffix, overwrite: true);
            }
        }

        SetAsidePath = target;
        (_count, _bytes, _awaitingAck) = (0, 0, 0);
        MarkFailed("read the outbox", e);
        _problem =
            $"the outbox database was corrupt ({e.Message}); it was set aside as '{target}' and a fresh one created";
        StorageFailed?.Invoke(_problem);
    }

    /// <summary>Runs <paramref name="write"/> on the database; a failure is recorded, never thrown.</summary>
    private bool Write(string what, Action<SqliteConnection> write) => Run(what, write, isWrite: true);

    /// <summary>Runs a query; a failure is recorded, never thrown, and a success says nothing about writes.</summary>
    private bool Query(string what, Action<SqliteConnection> query) => Run(what, query, isWrite: false);

    private bool Run(string what, Action<SqliteConnection> operation, bool isWrite)
    {
        try
        {
            operation(Open());
            if (isWrite)
            {
                MarkRecovered();
            }

            return true;
        }
        catch (SqliteException e)
        {
            Failed(what, e);
            return false;
        }
    }

    /// <summary>
    /// Records a failed operation; a corrupt database is set aside at once so the next write starts afresh.
    /// </summary>
    private void Failed(string what, SqliteException e)
    {
        if (IsCorrupt(e) && _connection is { } connection)
        {
            connection.Dispose();
            _connection = null;
            SqliteConnection.ClearAllPools();
            SetAside(e);
            return;
        }

        MarkFailed(what, e);
    }

    private void MarkFailed(string what, SqliteException e)
    {
        _storageErrors++;
        var problem = $"cannot {what} in '{_path}': {e.Message}";
        var first = _problem is null;
        _problem = problem;
        if (first)
        {
            StorageFailed?.Invoke(problem);
        }
    }

    private void MarkRecovered()
    {
        if (_problem is not null)
        {
            _problem = null;
            StorageRecovered?.Invoke();
        }
    }

    private static void AddColumn(SqliteConnection connection, string name, string definition)
    {
        using var columns = connection.CreateCommand();
        columns.CommandText = "SELECT count(*) FROM pragma_table_info('outbox') WHERE name = $name";
        columns.Parameters.AddWithValue("$name", name);
        if ((long)columns.ExecuteScalar()! == 0)
        {
            Execute(connection, $"ALTER TABLE outbox ADD COLUMN {name} {definition}");
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
