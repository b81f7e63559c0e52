using Microsoft.Data.Sqlite;

namespace Edge.Agent.Messaging;

/// <summary>
/// The durable store-and-forward queue every outgoing message passes through (SQLite in WAL mode with
/// synchronous=NORMAL: a committed message survives a crash of the agent; a power cut may lose the last few). Messages leave it only once the broker acknowledged them,
/// so they survive broker outages and agent restarts and are delivered at least once. Bounded: past
/// <c>maxMessages</c> or <c>maxBytes</c> the oldest measurement batches are dropped and counted; control messages
/// (status, replies, acks, errors) are never dropped.
/// </summary>
public sealed class SqliteOutbox : IDisposable
{
    private readonly Lock _gate = new();
    private readonly SqliteConnection _connection;
    private readonly int _maxMessages;
    private readonly long _maxBytes;
    private long _count;
    private long _bytes;
    private long _dropped;

    /// <summary>Opens (creating if needed) the outbox at <paramref name="path"/>.</summary>
    public SqliteOutbox(string path, int maxMessages, long maxBytes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);
        (_maxMessages, _maxBytes) = (maxMessages, maxBytes);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        try
        {
            _connection.Open();
            Execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
            Execute("""
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
            AddUrgentColumn();
            using var stats = _connection.CreateCommand();
            stats.CommandText = "SELECT count(*), coalesce(sum(length(payload)), 0) FROM outbox";
            using var reader = stats.ExecuteReader();
            reader.Read();
            (_count, _bytes) = (reader.GetInt64(0), reader.GetInt64(1));
        }
        catch (SqliteException e)
        {
            _connection.Dispose();
            throw new InvalidOperationException($"Outbox '{path}' cannot be opened: {e.Message}", e);
        }
    }

    /// <summary>Messages waiting.</summary>
    public long Count => Volatile.Read(ref _count);

    /// <summary>Payload bytes waiting.</summary>
    public long Bytes => Volatile.Read(ref _bytes);

    /// <summary>Measurement batches dropped to keep within the bounds since the outbox was opened.</summary>
    public long DroppedMeasurements => Volatile.Read(ref _dropped);

    /// <summary>Raised after each enqueue, so the sender wakes up.</summary>
    public event Action? Enqueued;

    /// <summary>Stores <paramref name="message"/> durably, then enforces the bounds.</summary>
    public void Enqueue(OutboxMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        lock (_gate)
        {
            using var insert = _connection.CreateCommand();
            insert.CommandText = "INSERT INTO outbox(message_id, topic, payload, is_measurement, retain, content_type, correlation, urgent) VALUES($id, $topic, $payload, $m, $r, $ct, $corr, $u)";
            insert.Parameters.AddWithValue("$id", message.MessageId.ToByteArray());
            insert.Parameters.AddWithValue("$topic", message.Topic);
            insert.Parameters.AddWithValue("$payload", message.Payload);
            insert.Parameters.AddWithValue("$m", message.IsMeasurement ? 1 : 0);
            insert.Parameters.AddWithValue("$r", message.Retain ? 1 : 0);
            insert.Parameters.AddWithValue("$ct", (object?)message.ContentType ?? DBNull.Value);
            insert.Parameters.AddWithValue("$corr", (object?)message.CorrelationData ?? DBNull.Value);
            insert.Parameters.AddWithValue("$u", message.Urgent ? 1 : 0);
            insert.ExecuteNonQuery();
            _count++;
            _bytes += message.Payload.Length;
            EnforceBounds();
        }

        Enqueued?.Invoke();
    }

    /// <summary>Returns up to <paramref name="max"/> waiting messages: urgent ones first, each kind oldest first.</summary>
    public IReadOnlyList<OutboxMessage> Peek(int max)
    {
        lock (_gate)
        {
            using var select = _connection.CreateCommand();
            select.CommandText = "SELECT seq, message_id, topic, payload, is_measurement, retain, content_type, correlation, urgent FROM outbox ORDER BY urgent DESC, seq LIMIT $max";
            select.Parameters.AddWithValue("$max", max);
            using var reader = select.ExecuteReader();
            var messages = new List<OutboxMessage>();
            while (reader.Read())
            {
                messages.Add(new OutboxMessage(
                    new Guid((byte[])reader[1]),
                    reader.GetString(2),
                    (byte[])reader[3],
                    reader.GetInt64(4) != 0,
                    reader.GetInt64(5) != 0,
                    reader.IsDBNull(6) ? null : reader.GetString(6),
                    reader.IsDBNull(7) ? null : (byte[])reader[7])
                { Sequence = reader.GetInt64(0), Urgent = reader.GetInt64(8) != 0 });
            }

            return messages;
        }
    }

    /// <summary>Removes a delivered message (no-op when it was already dropped).</summary>
    public void Remove(OutboxMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        Remove([message], 1);
    }

    /// <summary>
    /// Removes the first <paramref name="count"/> of <paramref name="messages"/> (delivered) in one transaction, i.e.
    /// one WAL commit instead of one per message; messages already dropped are skipped.
    /// </summary>
    public void Remove(IReadOnlyList<OutboxMessage> messages, int count)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, messages.Count);
        if (count <= 0)
        {
            return;
        }

        lock (_gate)
        {
            using var transaction = _connection.BeginTransaction();
            using var delete = _connection.CreateCommand();
            delete.Transaction = transaction;
            delete.CommandText = "DELETE FROM outbox WHERE seq = $seq";
            var seq = delete.Parameters.Add("$seq", SqliteType.Integer);
            long removed = 0, bytes = 0;
            for (var i = 0; i < count; i++)
            {
                seq.Value = messages[i].Sequence;
                if (delete.ExecuteNonQuery() == 1)
                {
                    removed++;
                    bytes += messages[i].Payload.Length;
                }
            }

            transaction.Commit();
            _count -= removed;
            _bytes -= bytes;
        }
    }

    /// <summary>Adds the <c>urgent</c> column and its index to an outbox written by an agent that had neither.</summary>
    private void AddUrgentColumn()
    {
        using var columns = _connection.CreateCommand();
        columns.CommandText = "SELECT count(*) FROM pragma_table_info('outbox') WHERE name = 'urgent'";
        if ((long)columns.ExecuteScalar()! == 0)
        {
            Execute("ALTER TABLE outbox ADD COLUMN urgent INTEGER NOT NULL DEFAULT 0");
        }

        Execute("CREATE INDEX IF NOT EXISTS outbox_order ON outbox(urgent DESC, seq)");
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            _connection.Dispose();
        }
    }

    private void EnforceBounds()
    {
        while (_count > _maxMessages || _bytes > _maxBytes)
        {
            using var oldest = _connection.CreateCommand();
            oldest.CommandText = "DELETE FROM outbox WHERE seq = (SELECT seq FROM outbox WHERE is_measurement = 1 ORDER BY seq LIMIT 1) RETURNING length(payload)";
            var length = oldest.ExecuteScalar();
            if (length is not long removed)
            {
                // Only control messages are left: they stay, and the outbox runs over its bound until they drain.
                return;
            }

            _count--;
            _bytes -= removed;
            _dropped++;
        }
    }

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
