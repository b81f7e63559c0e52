using Edge.Agent.Messaging;
using Edge.Domain.Messaging;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Edge.Integration.Tests;

/// <summary>The agent's durable outbox: persistence across reopen, the bound and its drop policy, bad files.</summary>
public sealed class OutboxTests
{
    [Fact]
    public void Messages_survive_closing_and_reopening_in_order_with_every_field()
    {
        using var folder = new TempFolder();
        var path = folder.Path("outbox.db");
        var sent = new[]
        {
            new OutboxMessage(Guid.NewGuid(), "edge/v1/a/status", [1, 2], IsMeasurement: false, Retain: true,
                ContentType: "application/json"),
            new OutboxMessage(Guid.NewGuid(), "edge/v1/a/measurements", [3], IsMeasurement: true),
            new OutboxMessage(Guid.NewGuid(), "reply/topic", [4, 5, 6], IsMeasurement: false, CorrelationData: [9, 9]),
        };
        using (var outbox = new SqliteOutbox(path, 100, 1 << 20))
        {
            foreach (var message in sent)
            {
                outbox.Enqueue(message);
            }
        }

        using var reopened = new SqliteOutbox(path, 100, 1 << 20);
        Assert.Equal(3, reopened.Count);
        Assert.Equal(6, reopened.Bytes);
        var waiting = reopened.Peek(10);
        Assert.Equal(sent.Select(m => m.MessageId), waiting.Select(m => m.MessageId));
        Assert.Equal(sent.Select(m => (m.Topic, m.IsMeasurement, m.Retain, m.ContentType)),
            waiting.Select(m => (m.Topic, m.IsMeasurement, m.Retain, m.ContentType)));
        Assert.Equal([9, 9], waiting[2].CorrelationData);
        reopened.Remove(waiting[0]);
        reopened.Remove(waiting[0]);
        Assert.Equal(2, reopened.Count);
    }

    [Fact]
    public void Urgent_replies_leave_ahead_of_a_backlog_and_each_kind_keeps_its_order()
    {
        using var folder = new TempFolder();
        using var outbox = new SqliteOutbox(folder.Path("outbox.db"), 100, 1 << 20);
        var backlog = Enumerable.Range(0, 5)
            .Select(i => new OutboxMessage(Guid.NewGuid(), "pat/reply", [(byte)i], IsMeasurement: false))
            .ToArray();
        var urgent = Enumerable.Range(0, 2)
            .Select(i => new OutboxMessage(Guid.NewGuid(), "inference/reply", [(byte)i], IsMeasurement: false)
            {
                Urgent = true,
            })
            .ToArray();
        foreach (var message in backlog.Take(3).Concat([urgent[0]]).Concat(backlog.Skip(3)).Concat([urgent[1]]))
        {
            outbox.Enqueue(message);
        }

        var order = outbox.Peek(10).Select(m => m.MessageId);
        Assert.Equal(urgent.Concat(backlog).Select(m => m.MessageId), order);
        Assert.True(outbox.Peek(1)[0].Urgent);
    }

    [Fact]
    public void An_outbox_written_before_urgent_replies_existed_opens_and_keeps_its_messages()
    {
        using var folder = new TempFolder();
        var path = folder.Path("outbox.db");
        using (var old = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False"))
        {
            old.Open();
            using var create = old.CreateCommand();
            create.CommandText = """
                CREATE TABLE outbox(seq INTEGER PRIMARY KEY AUTOINCREMENT, message_id BLOB NOT NULL,
                    topic TEXT NOT NULL,
                    payload BLOB NOT NULL, is_measurement INTEGER NOT NULL, retain INTEGER NOT NULL, content_type TEXT,
                    correlation BLOB);
                INSERT INTO outbox(message_id, topic, payload, is_measurement, retain)
                    VALUES (zeroblob(16), 'edge/v1/a/status', x'01', 0, 1);
                """;
            create.ExecuteNonQuery();
        }

        using var outbox = new SqliteOutbox(path, 100, 1 << 20);
        outbox.Enqueue(new OutboxMessage(Guid.NewGuid(), "inference/reply", [2], IsMeasurement: false) { Urgent =
            true });
        var waiting = outbox.Peek(10);
        Assert.Equal(["inference/reply", "edge/v1/a/status"], waiting.Select(m => m.Topic));
    }

    [Fact]
    public void Past_its_bound_the_outbox_drops_the_oldest_measurements_and_never_a_control_message()
    {
        using var folder = new TempFolder();
        using var outbox = new SqliteOutbox(folder.Path("outbox.db"), maxMessages: 10, maxBytes: 1 << 20);
        var controls = new List<Guid>();
        for (var i = 0; i < 30; i++)
        {
            var isMeasurement = i % 5 != 0;
            var message = new OutboxMessage(Guid.NewGuid(), "t", [(byte)i], isMeasurement);
            if (!isMeasurement)
            {
                controls.Add(message.MessageId);
            }

            outbox.Enqueue(message);
        }

        var kept = outbox.Peek(100);
        Assert.Equal(10, outbox.Count);
        Assert.Equal(10, kept.Count);
        Assert.Equal(20, outbox.DroppedMeasurements);
        Assert.Equal(controls, kept.Where(m => !m.IsMeasurement).Select(m => m.MessageId));
        // The survivors are the newest measurements.
        Assert.Equal([26, 27, 28, 29], kept.Where(m => m.IsMeasurement).Select(m => m.Payload[0]));
    }

    [Fact]
    public void The_byte_bound_counts_payload_bytes_and_control_messages_may_exceed_it()
    {
        using var folder = new TempFolder();
        using var outbox = new SqliteOutbox(folder.Path("outbox.db"), maxMessages: 1000, maxBytes: 100);
        outbox.Enqueue(new OutboxMessage(Guid.NewGuid(), "m", new byte[60], IsMeasurement: true));
        outbox.Enqueue(new OutboxMessage(Guid.NewGuid(), "m", new byte[60], IsMeasurement: true));
        Assert.Equal((1, 60, 1), (outbox.Count, outbox.Bytes, outbox.DroppedMeasurements));
        outbox.Enqueue(new OutboxMessage(Guid.NewGuid(), "c", new byte[150], IsMeasurement: false));
        Assert.Equal((1, 150, 2), (outbox.Count, outbox.Bytes, outbox.DroppedMeasurements));
    }

    [Fact]
    public void A_delivered_window_leaves_in_one_commit_and_messages_already_dropped_are_skipped()
    {
        using var folder = new TempFolder();
        using var outbox = new SqliteOutbox(folder.Path("outbox.db"), maxMessages: 4, maxBytes: 1 << 20);
        for (var i = 0; i < 4; i++)
        {
            outbox.Enqueue(new OutboxMessage(Guid.NewGuid(), "m", new byte[10 + i], IsMeasurement: true));
        }

        var window = outbox.Peek(4);

        // The bound drops the oldest (window[0]) while the window is in flight; removing it again must not count twice.
        outbox.Enqueue(new OutboxMessage(Guid.NewGuid(), "m", new byte[20], IsMeasurement: true));
        outbox.Remove(window, 3);
        Assert.Equal((2, 13 + 20), (outbox.Count, outbox.Bytes));
        Assert.Equal([window[3].MessageId, outbox.Peek(10)[1].MessageId], outbox.Peek(10).Select(m => m.MessageId));
        outbox.Remove(window, 0);
        Assert.Equal(2, outbox.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => outbox.Remove(window, 5));
    }

    [Fact]
    public void Recorded_batches_carry_unique_version_7_ids_stamped_with_each_measurements_time()
    {
        using var folder = new TempFolder();
        using var outbox = new SqliteOutbox(folder.Path("outbox.db"), 100, 1 << 24);
        var spec = Edge.Domain.Simulation.PhysicalSystems.Get("electronic").Spec;
        var recorder = new MeasurementRecorder(spec, "ids-agent", outbox, batchSize: 400);
        var start = new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < 1000; i++)
        {
            recorder.Record(new float[spec.DriveLength], new float[spec.OutputSize], start.AddMilliseconds(i / 3));
        }

        recorder.Flush();
        var batches = outbox.Peek(10).Select(m => MeasurementBatch.Decode(m.Payload)).ToList();
        Assert.Equal([400, 400, 200], batches.Select(b => b.Count));
        var ids = batches.SelectMany(b => b.Ids).ToList();
        Assert.Equal(1000, ids.Distinct().Count());
        for (var i = 0; i < ids.Count; i++)
        {
            Assert.Equal(7, ids[i].Version);
            Assert.Equal(start.AddMilliseconds(i / 3).ToUnixTimeMilliseconds(), V7Milliseconds(ids[i]));
        }
    }

    [Property(MaxTest = 200)]
    public Property Version_7_ids_encode_the_timestamp_and_the_rfc_variant(long milliseconds)
    {
        var time = DateTimeOffset.FromUnixTimeMilliseconds(Math.Abs(milliseconds % 253_402_300_799_000));
        var source = new MeasurementIds();
        var id = source.Next(time);
        var bytes = id.ToByteArray(bigEndian: true);
        return (id.Version == 7 && (bytes[8] & 0xC0) == 0x80 && V7Milliseconds(id) == time.ToUnixTimeMilliseconds()
            && source.Next(time) != id).ToProperty();
    }

    [Fact]
    public void A_file_that_is_not_an_outbox_is_set_aside_and_a_fresh_outbox_created()
    {
        using var folder = new TempFolder();
        var path = folder.Path("outbox.db");
        File.WriteAllText(path, "this is not a database, it is a text file long enough to have a header............");
        using var outbox = new SqliteOutbox(path, 100, 1 << 20);
        Assert.NotNull(outbox.SetAsidePath);
        Assert.StartsWith(path + ".corrupt-", outbox.SetAsidePath, StringComparison.Ordinal);
        Assert.StartsWith("this is not a database", File.ReadAllText(outbox.SetAsidePath), StringComparison.Ordinal);
        Assert.Contains("set aside", outbox.Problem, StringComparison.Ordinal);
        outbox.Enqueue(new OutboxMessage(Guid.NewGuid(), "t", [1], IsMeasurement: true));
        Assert.Equal(1, outbox.Count);
        Assert.Null(outbox.Problem);
    }

    [Fact]
    public void A_batch_stays_until_the_trainer_acknowledges_it_and_is_resent_with_a_doubling_timeout()
    {
        using var folder = new TempFolder();
        var clock = new ManualClock(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));
        var path = folder.Path("outbox.db");
        var timeout = TimeSpan.FromSeconds(30);
        var outbox = new SqliteOutbox(path, 100, 1 << 20, clock)
        {
            AckTimeout = timeout,
            MaxAckTimeout = TimeSpan.FromSeconds(100)
        };
        var batch = new OutboxMessage(Guid.NewGuid(), "edge/v1/a/measurements", [1, 2, 3], IsMeasurement: true);
        outbox.Enqueue(batch);

        // Sent: it waits for the ack, and is not handed out again before its timeout.
        var sent = outbox.Peek(10);
        outbox.MarkAwaitingAck(sent, 1);
        Assert.Equal((1, 1L), (outbox.Count, outbox.AwaitingAck));
        Assert.Empty(outbox.Peek(10));
        Assert.Equal(clock.GetUtcNow() + timeout, outbox.NextResendDue());

        // No ack: due again after 30 s, then after 60 s, then capped at 100 s.
        var waits = new List<TimeSpan>();
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            var due = outbox.NextResendDue()!.Value;
            waits.Add(due - clock.GetUtcNow());
            clock.Advance(due - clock.GetUtcNow() - TimeSpan.FromMilliseconds(1));
            Assert.Empty(outbox.Peek(10));
            clock.Advance(TimeSpan.FromMilliseconds(1));
            var again = outbox.Peek(10);
            Assert.Equal((batch.MessageId, attempt), (again.Single().MessageId, again.Single().Attempts));
            outbox.MarkAwaitingAck(again, 1);
        }

        Assert.Equal([timeout, timeout * 2, TimeSpan.FromSeconds(100)], waits);

        // The schedule survives a restart; the ack removes it; a second ack of the same id changes nothing.
        outbox.Dispose();
        using var reopened = new SqliteOutbox(path, 100, 1 << 20, clock);
        Assert.Equal((1, 1L), (reopened.Count, reopened.AwaitingAck));
        Assert.Equal(1, reopened.Acknowledge([batch.MessageId, Guid.NewGuid()]));
        Assert.Equal(0, reopened.Acknowledge([batch.MessageId]));
        Assert.Equal((0, 0L, 0L), (reopened.Count, reopened.Bytes, reopened.AwaitingAck));
        Assert.Null(reopened.NextResendDue());
    }

    [Fact]
    public void New_batches_wait_while_the_window_of_unacknowledged_ones_is_full_and_control_messages_do_not()
    {
        using var folder = new TempFolder();
        using var outbox = new SqliteOutbox(folder.Path("outbox.db"), 100, 1 << 20) { MeasurementWindow = 3 };
        for (var i = 0; i < 5; i++)
        {
            outbox.Enqueue(new OutboxMessage(Guid.NewGuid(), "m", [(byte)i], IsMeasurement: true));
        }

        var first = outbox.Peek(10);
        Assert.Equal([0, 1, 2], first.Select(m => m.Payload[0]));
        outbox.MarkAwaitingAck(first, first.Count);
        outbox.Enqueue(new OutboxMessage(Guid.NewGuid(), "status", [9], IsMeasurement: false));
        Assert.Equal(["status"], outbox.Peek(10).Select(m => m.Topic));

        // One ack opens one place in the window.
        outbox.Acknowledge([first[1].MessageId]);
        Assert.Equal([3, 9], outbox.Peek(10).Select(m => m.Payload[0]));
    }

    [Fact]
    public void A_control_message_is_settled_by_remove_but_an_ack_never_removes_one()
    {
        using var folder = new TempFolder();
        using var outbox = new SqliteOutbox(folder.Path("outbox.db"), 100, 1 << 20);
        var status = new OutboxMessage(Guid.NewGuid(), "status", [1], IsMeasurement: false);
        outbox.Enqueue(status);
        Assert.Equal(0, outbox.Acknowledge([status.MessageId]));
        Assert.Equal(1, outbox.Count);
    }

    [Fact]
    public void A_full_database_keeps_control_messages_in_memory_refuses_batches_and_recovers_when_space_returns()
    {
        using var folder = new TempFolder();
        using var outbox = new SqliteOutbox(folder.Path("outbox.db"), 100_000, 1 << 30);
        var failures = new List<string>();
        var recoveries = 0;
        outbox.StorageFailed += failures.Add;
        outbox.StorageRecovered += () => recoveries++;
        var spec = Edge.Domain.Simulation.PhysicalSystems.Get("electronic").Spec;
        var recorder = new MeasurementRecorder(spec, "full-agent", outbox, batchSize: 64);
        outbox.LimitPages(PageCount(outbox) + 2);

        // Record until the database is full: the recorder never throws, keeps its last batch and sheds the rest.
        for (var i = 0; i < 5000; i++)
        {
            recorder.Record(new float[spec.DriveLength], new float[spec.OutputSize], DateTimeOffset.UtcNow);
        }

        Assert.NotNull(outbox.Problem);
        Assert.Contains("full", outbox.Problem, StringComparison.OrdinalIgnoreCase);
        Assert.True(recorder.Shed > 0, "measurements past the kept batch are shed");
        Assert.Equal(5000, recorder.Recorded + recorder.Shed);
        Assert.Single(failures);
        var stored = outbox.Count;

        // A reply while full waits in memory and is handed out first; once delivered it is gone.
        var reply = new OutboxMessage(Guid.NewGuid(), "reply", [7], IsMeasurement: false) { Urgent = true };
        outbox.Enqueue(reply);
        Assert.Equal(stored + 1, outbox.Count);
        var waiting = outbox.Peek(1);
        Assert.Equal(reply.MessageId, waiting[0].MessageId);
        outbox.Remove(waiting, 1);
        Assert.Equal(stored, outbox.Count);

        // Space returns: the kept batch is committed by the next flush, and recording goes on.
        outbox.LimitPages(1 << 30);
        Assert.True(recorder.Flush());
        Assert.Null(outbox.Problem);
        Assert.Equal(1, recoveries);
        Assert.Equal(stored + 1, outbox.Count);
        recorder.Record(new float[spec.DriveLength], new float[spec.OutputSize], DateTimeOffset.UtcNow);
        Assert.True(recorder.Flush());
    }

    private static int PageCount(SqliteOutbox outbox)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection(
            $"Data Source={outbox.FilePath};Pooling=False;Mode=ReadOnly");
        connection.Open();
        using var pages = connection.CreateCommand();
        pages.CommandText = "PRAGMA page_count";
        return (int)(long)pages.ExecuteScalar()!;
    }

    private static long V7Milliseconds(Guid id)
    {
        var bytes = id.ToByteArray(bigEndian: true);
        return (long)(System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes) >> 16);
    }
}
