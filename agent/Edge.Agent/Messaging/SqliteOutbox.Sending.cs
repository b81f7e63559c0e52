using Edge.Domain.Timing;
using Microsoft.Data.Sqlite;

namespace Edge.Agent.Messaging;

/// <summary>What to send next, the end-to-end acknowledgement of measurement batches, the in-memory spill.</summary>
public sealed partial class SqliteOutbox
{
    /// <summary>Most control messages kept in memory while the database fails; the oldest go first past it.</summary>
    public const int MaxSpilledMessages = 1000;

    private const string Columns =
        "seq, message_id, topic, payload, is_measurement, retain, content_type, correlation, urgent, attempts";

    private readonly List<OutboxMessage> _spilled = [];

    /// <summary>
    /// Resend times of batches whose schedule could not be written (disk full), by sequence: without it they would
    /// look unsent and go out again at once, in a loop, for as long as the disk stays full.
    /// </summary>
    private readonly Dictionary<long, long> _heldBack = [];

    /// <summary>Delivered messages whose delete failed (disk full), by sequence: never handed out again.</summary>
    private readonly Dictionary<long, OutboxMessage> _undeleted = [];
    private long _spilledBytes;
    private long _spillSequence;
    private long _spillDropped;

    /// <summary>Control messages lost because more than <see cref="MaxSpilledMessages"/> waited in memory.</summary>
    public long DroppedControlMessages => Volatile.Read(ref _spillDropped);

    private long SpilledCount
    {
        get
        {
            lock (_gate)
            {
                return _spilled.Count;
            }
        }
    }

    private long SpilledBytes => Volatile.Read(ref _spilledBytes);

    /// <summary>
    /// Returns up to <paramref name="max"/> messages to send now: control messages (urgent ones first), measurement
    /// batches whose acknowledgement is overdue, and new batches while fewer than <see cref="MeasurementWindow"/> are
    /// unacknowledged — urgent first, then in the order they were stored.
    /// </summary>
    public IReadOnlyList<OutboxMessage> Peek(int max)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        lock (_gate)
        {
            var messages = new List<OutboxMessage>(Math.Min(max, 64));
            messages.AddRange(_spilled.OrderByDescending(m => m.Urgent).Take(max));
            if (messages.Count == max)
            {
                return messages;
            }

            var room = max - messages.Count;
            var stored = new List<OutboxMessage>();
            var read = Query("read waiting messages", connection =>
            {
                Read(connection, stored, "is_measurement = 0 ORDER BY urgent DESC, seq", room);
                var due = $"is_measurement = 1 AND attempts > 0 AND due_ms <= {NowMs()} ORDER BY due_ms, seq";
                Read(connection, stored, due, room);
                var window = (int)Math.Max(0, MeasurementWindow - _awaitingAck);
                Read(connection, stored, "is_measurement = 1 AND attempts = 0 ORDER BY seq", Math.Min(room, window));
            });
            if (read)
            {
                var now = NowMs();
                messages.AddRange(stored
                    .Where(m => !IsHeldBack(m, now))
                    .OrderByDescending(m => m.Urgent)
                    .ThenBy(m => m.Sequence)
                    .Take(room));
            }

            return messages;
        }
    }

    /// <summary>
    /// Records that the first <paramref name="count"/> of <paramref name="batches"/> were handed to the broker: each
    /// waits for the trainer's acknowledgement and is sent again when none came within <see cref="AckTimeout"/>,
    /// doubled per attempt up to <see cref="MaxAckTimeout"/>.
    /// </summary>
    public void MarkAwaitingAck(IReadOnlyList<OutboxMessage> batches, int count)
    {
        ArgumentNullException.ThrowIfNull(batches);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, batches.Count);
        if (count <= 0)
        {
            return;
        }

        lock (_gate)
        {
            var now = NowMs();
            foreach (var expired in _heldBack.Where(h => h.Value <= now).Select(h => h.Key).ToList())
            {
                _heldBack.Remove(expired);
            }

            var written = Write("schedule resends", connection =>
            {
                using var transaction = connection.BeginTransaction();
                using var update = connection.CreateCommand();
                update.Transaction = transaction;
                update.CommandText = """
                    UPDATE outbox SET attempts = attempts + 1, due_ms = $due WHERE seq = $seq AND is_measurement = 1
                    RETURNING attempts
                    """;
                var seq = update.Parameters.Add("$seq", SqliteType.Integer);
                var due = update.Parameters.Add("$due", SqliteType.Integer);
                long started = 0;
                for (var i = 0; i < count; i++)
                {
                    seq.Value = batches[i].Sequence;
                    due.Value = now + (long)ResendDelay(batches[i].Attempts).TotalMilliseconds;
                    started += update.ExecuteScalar() is 1L ? 1 : 0;
                }

                transaction.Commit();
                _awaitingAck += started;
            });
            for (var i = 0; i < count && !written; i++)
            {
                _heldBack[batches[i].Sequence] = now + (long)ResendDelay(batches[i].Attempts).TotalMilliseconds;
            }
        }
    }

    /// <summary>
    /// True for a delivered message whose delete failed, and for a batch sent while its schedule could not be stored
    /// until its resend is due.
    /// </summary>
    private bool IsHeldBack(OutboxMessage message, long now)
    {
        if (_undeleted.ContainsKey(message.Sequence))
        {
            return true;
        }

        if (!_heldBack.TryGetValue(message.Sequence, out var due))
        {
            return false;
        }

        if (due > now)
        {
            return true;
        }

        _heldBack.Remove(message.Sequence);
        return false;
    }

    /// <summary>
    /// Deletes the measurement batches the trainer acknowledged as stored; unknown ids (already acknowledged, shed)
    /// are ignored. Returns how many were removed.
    /// </summary>
    public int Acknowledge(IReadOnlyList<Guid> batchIds)
    {
        ArgumentNullException.ThrowIfNull(batchIds);
        var removed = 0;
        lock (_gate)
        {
            Write("remove acknowledged batches", connection =>
            {
                using var transaction = connection.BeginTransaction();
                using var delete = connection.CreateCommand();
                delete.Transaction = transaction;
                delete.CommandText = """
                    DELETE FROM outbox WHERE message_id = $id AND is_measurement = 1
                    RETURNING length(payload), attempts
                    """;
                var id = delete.Parameters.Add("$id", SqliteType.Blob);
                long bytes = 0, awaiting = 0;
                var count = 0;
                foreach (var batchId in batchIds)
                {
                    id.Value = batchId.ToByteArray();
                    using var reader = delete.ExecuteReader();
                    while (reader.Read())
                    {
                        count++;
                        bytes += reader.GetInt64(0);
                        awaiting += reader.GetInt64(1) > 0 ? 1 : 0;
                    }
                }

                transaction.Commit();
                (_count, _bytes, _awaitingAck) = (_count - count, _bytes - bytes, _awaitingAck - awaiting);
                removed = count;
            });
        }

        return removed;
    }

    /// <summary>When the next unacknowledged batch is due to be sent again; null when none waits for an ack.</summary>
    public DateTimeOffset? NextResendDue()
    {
        lock (_gate)
        {
            if (_awaitingAck == 0)
            {
                return null;
            }

            long? due = null;
            Query("read the resend schedule", connection =>
            {
                using var select = connection.CreateCommand();
                select.CommandText = "SELECT min(due_ms) FROM outbox WHERE is_measurement = 1 AND attempts > 0";
                due = select.ExecuteScalar() as long?;
            });
            return due is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
        }
    }

    /// <summary>The wait for the acknowledgement of a batch already sent <paramref name="attempts"/> times.</summary>
    public TimeSpan ResendDelay(int attempts)
    {
        return ExponentialBackoff.Ceiling(AckTimeout, MaxAckTimeout, attempts);
    }

    private long NowMs() => Clock.GetUtcNow().ToUnixTimeMilliseconds();

    private static void Read(SqliteConnection connection, List<OutboxMessage> into, string where, int limit)
    {
        if (limit <= 0)
        {
            return;
        }

        using var select = connection.CreateCommand();
        select.CommandText = $"SELECT {Columns} FROM outbox WHERE {where} LIMIT $max";
        select.Parameters.AddWithValue("$max", limit);
        using var reader = select.ExecuteReader();
        while (reader.Read())
        {
            into.Add(new OutboxMessage(
                new Guid((byte[])reader[1]),
                reader.GetString(2),
                (byte[])reader[3],
                reader.GetInt64(4) != 0,
                reader.GetInt64(5) != 0,
                reader.IsDBNull(6) ? null : reader.GetString(6),
                reader.IsDBNull(7) ? null : (byte[])reader[7])
            { Sequence = reader.GetInt64(0), Urgent = reader.GetInt64(8) != 0, Attempts = (int)reader.GetInt64(9) });
        }
    }

    /// <summary>Keeps a control message in memory while the database fails (sequence numbers below zero).</summary>
    private void Spill(OutboxMessage message)
    {
        if (_spilled.Count == MaxSpilledMessages)
        {
            _spilledBytes -= _spilled[0].Payload.Length;
            _spilled.RemoveAt(0);
            _spillDropped++;
        }

        _spilled.Add(message with { Sequence = -++_spillSequence });
        _spilledBytes += message.Payload.Length;
    }

    /// <summary>
    /// Drops the delivered spilled messages among the first <paramref name="count"/>; returns the stored ones.
    /// </summary>
    private List<OutboxMessage> Unspill(IReadOnlyList<OutboxMessage> messages, int count)
    {
        var stored = new List<OutboxMessage>(count);
        for (var i = 0; i < count; i++)
        {
            var message = messages[i];
            if (message.Sequence > 0)
            {
                stored.Add(message);
            }
            else if (_spilled.RemoveAll(m => m.Sequence == message.Sequence) > 0)
            {
                _spilledBytes -= message.Payload.Length;
            }
        }

        return stored;
    }
}
