using Microsoft.Data.Sqlite;

namespace Edge.Agent.Messaging;

/// <summary>
/// The durable store-and-forward queue every outgoing message passes through (SQLite in WAL mode with
/// synchronous=NORMAL: a committed message survives a crash of the agent; a power cut may lose the last few).
/// Control messages (status, replies, acks, errors) leave it on the broker's PUBACK; measurement batches only when the
/// trainer acknowledges them on <c>measurements/ack</c> (<see cref="Acknowledge"/>), and are sent again after a
/// timeout that backs off, with at most <see cref="MeasurementWindow"/> batches unacknowledged at a time.
/// Bounded: past <c>maxMessages</c> or <c>maxBytes</c> the oldest measurement batches are shed and counted; control
/// messages are never shed. A storage failure (disk full, I/O error) never escapes to the caller: control messages
/// wait in memory instead (<see cref="Problem"/> says why), measurement batches are refused with
/// <see cref="OutboxUnavailableException"/>, and the outbox recovers by itself when a write succeeds again.
/// </summary>
public sealed partial class SqliteOutbox : IDisposable
{
    private readonly Lock _gate = new();
    private readonly string _path;
    private readonly int _maxMessages;
    private readonly long _maxBytes;
    private SqliteConnection? _connection;
    private MeasurementRecorder? _recorder;
    private long _count;
    private long _bytes;
    private long _awaitingAck;
    private long _shed;

    /// <summary>Opens (creating if needed) the outbox at <paramref name="path"/>.</summary>
    /// <remarks>
    /// A file that is not a readable SQLite database is set aside as <c>{path}.corrupt-{utc}</c> and a fresh outbox
    /// created (<see cref="SetAsidePath"/>); any other failure to open leaves the outbox unavailable, reported in
    /// <see cref="Problem"/>, and it is opened again by the next write — the agent never stops for its outbox.
    /// </remarks>
    public SqliteOutbox(string path, int maxMessages, long maxBytes, TimeProvider? clock = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);
        (_path, _maxMessages, _maxBytes) = (Path.GetFullPath(path), maxMessages, maxBytes);
        Clock = clock ?? TimeProvider.System;
        var directory = Path.GetDirectoryName(_path);
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        lock (_gate)
        {
            TryOpen(setAsideCorrupt: true);
        }
    }

    /// <summary>The database file.</summary>
    public string FilePath => _path;

    /// <summary>
    /// Messages waiting (in the database and, while it fails, in memory), including batches awaiting an ack.
    /// </summary>
    public long Count => Volatile.Read(ref _count) + SpilledCount;

    /// <summary>Payload bytes waiting.</summary>
    public long Bytes => Volatile.Read(ref _bytes) + SpilledBytes;

    /// <summary>Measurement batches sent and waiting for the trainer's acknowledgement.</summary>
    public long AwaitingAck => Volatile.Read(ref _awaitingAck);

    /// <summary>Measurement batches shed to keep within the bounds since the outbox was opened.</summary>
    public long DroppedMeasurements => Volatile.Read(ref _shed);

    /// <summary>Most measurement batches sent and not yet acknowledged; new ones wait while this many are out.
    /// </summary>
    public int MeasurementWindow { get; init; } = 64;

    /// <summary>How long a sent batch waits for its acknowledgement before it is sent again (first attempt).</summary>
    public TimeSpan AckTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The wait for an acknowledgement doubles with every resend of a batch up to this.</summary>
    public TimeSpan MaxAckTimeout { get; init; } = TimeSpan.FromMinutes(8);

    /// <summary>The clock that schedules resends.</summary>
    public TimeProvider Clock { get; }

    /// <summary>Raised after each enqueue, so the sender wakes up.</summary>
    public event Action? Enqueued;

    /// <summary>
    /// Stores <paramref name="message"/> durably, then enforces the bounds. A control message (a PAT reply, an
    /// inference result) is committed in one transaction with the measurements the attached
    /// <see cref="MeasurementRecorder"/> holds at that moment (group commit): durable before visible.
    /// </summary>
    /// <exception cref="OutboxUnavailableException">
    /// A measurement batch could not be stored (disk full, I/O error); nothing was stored. Control messages are never
    /// refused: while the database fails they wait in memory.
    /// </exception>
    public void Enqueue(OutboxMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!message.IsMeasurement && _recorder is { } recorder)
        {
            recorder.CommitWith(message);
            return;
        }

        Store(null, message);
    }

    /// <summary>
    /// Lets <paramref name="recorder"/> add its pending measurements to the transaction of every control message.
    /// </summary>
    internal void Attach(MeasurementRecorder recorder)
    {
        if (Interlocked.CompareExchange(ref _recorder, recorder, null) is not null)
        {
            throw new InvalidOperationException($"Outbox '{_path}' already takes the measurements of a recorder.");
        }
    }

    /// <summary>
    /// Stores <paramref name="batch"/> (when given) and <paramref name="message"/> in one transaction; true when they
    /// were committed. When the database fails a control message waits in memory and false is returned (the batch
    /// was not stored); a measurement batch alone throws <see cref="OutboxUnavailableException"/>.
    /// </summary>
    internal bool Store(OutboxMessage? batch, OutboxMessage message)
    {
        var stored = false;
        lock (_gate)
        {
            try
            {
                var connection = Open();
                using (var transaction = connection.BeginTransaction())
                {
                    if (batch is not null)
                    {
                        Insert(connection, transaction, batch);
                    }

                    Insert(connection, transaction, message);
                    transaction.Commit();
                }

                _count += batch is null ? 1 : 2;
                _bytes += message.Payload.Length + (batch?.Payload.Length ?? 0);
                stored = true;
                EnforceBounds();
                MarkRecovered();
            }
            catch (SqliteException e)
            {
                Failed("store a message", e);
                if (message.IsMeasurement)
                {
                    throw new OutboxUnavailableException(
                        $"Outbox '{_path}' cannot store a measurement batch: {Problem}", e);
                }

                if (!stored)
                {
                    Spill(message);
                }
            }
        }

        Enqueued?.Invoke();
        return stored;
    }

    /// <summary>Removes a delivered message (no-op when it was already dropped).</summary>
    public void Remove(OutboxMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        Remove([message], 1);
    }

    /// <summary>
    /// Removes the first <paramref name="count"/> of <paramref name="messages"/> (delivered) in one transaction, i.e.
    /// one WAL commit instead of one per message; messages already dropped are skipped. When the database fails they
    /// stay, and are sent again later (receivers drop redeliveries by id).
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
            // Delivered messages a full disk kept from being deleted go with these (and are never sent again).
            var stored = Unspill(messages, count);
            stored.AddRange(_undeleted.Values);
            if (stored.Count > 0 && !Write("remove delivered messages", connection => Delete(connection, stored)))
            {
                stored.ForEach(m => _undeleted[m.Sequence] = m);
            }
            else
            {
                _undeleted.Clear();
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            _connection?.Dispose();
            _connection = null;
        }
    }

    private static void Insert(SqliteConnection connection, SqliteTransaction transaction, OutboxMessage message)
    {
        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """
            INSERT INTO outbox(message_id, topic, payload, is_measurement, retain, content_type, correlation, urgent)
            VALUES($id, $topic, $payload, $m, $r, $ct, $corr, $u)
            """;
        insert.Parameters.AddWithValue("$id", message.MessageId.ToByteArray());
        insert.Parameters.AddWithValue("$topic", message.Topic);
        insert.Parameters.AddWithValue("$payload", message.Payload);
        insert.Parameters.AddWithValue("$m", message.IsMeasurement ? 1 : 0);
        insert.Parameters.AddWithValue("$r", message.Retain ? 1 : 0);
        insert.Parameters.AddWithValue("$ct", (object?)message.ContentType ?? DBNull.Value);
        insert.Parameters.AddWithValue("$corr", (object?)message.CorrelationData ?? DBNull.Value);
        insert.Parameters.AddWithValue("$u", message.Urgent ? 1 : 0);
        insert.ExecuteNonQuery();
    }

    private void Delete(SqliteConnection connection, List<OutboxMessage> messages)
    {
        using var transaction = connection.BeginTransaction();
        using var delete = connection.CreateCommand();
        delete.Transaction = transaction;
        delete.CommandText = "DELETE FROM outbox WHERE seq = $seq RETURNING length(payload), attempts";
        var seq = delete.Parameters.Add("$seq", SqliteType.Integer);
        long removed = 0, bytes = 0, awaiting = 0;
        foreach (var message in messages)
        {
            seq.Value = message.Sequence;
            using var reader = delete.ExecuteReader();
            if (reader.Read())
            {
                removed++;
                bytes += reader.GetInt64(0);
                awaiting += IsAwaiting(message.IsMeasurement, reader.GetInt64(1)) ? 1 : 0;
            }
        }

        transaction.Commit();
        _count -= removed;
        _bytes -= bytes;
        _awaitingAck -= awaiting;
    }

    private static bool IsAwaiting(bool isMeasurement, long attempts) => isMeasurement && attempts > 0;

    private void EnforceBounds()
    {
        while (_count > _maxMessages || _bytes > _maxBytes)
        {
            using var oldest = Open().CreateCommand();
            oldest.CommandText = """
                DELETE FROM outbox WHERE seq = (SELECT seq FROM outbox WHERE is_measurement = 1 ORDER BY seq LIMIT 1)
                RETURNING length(payload), attempts
                """;
            using var reader = oldest.ExecuteReader();
            if (!reader.Read())
            {
                // Only control messages are left: they stay, and the outbox runs over its bound until they drain.
                return;
            }

            _count--;
            _bytes -= reader.GetInt64(0);
            _awaitingAck -= reader.GetInt64(1) > 0 ? 1 : 0;
            _shed++;
        }
    }
}
