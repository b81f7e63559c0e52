using Edge.Trainer.Live;
using Edge.Trainer.Live.Updates;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Edge.Integration.Tests;

/// <summary>
/// A drift is not forgotten after a partial recovery: the device keeps its own accuracy reference (the best live
/// accuracy one of its versions settled at, kept in the ledger), and while the running version stays short of it by
/// the drop threshold further sessions start, each after a doubled wait; the alert is raised once the configured
/// number of sessions has not brought the part back. Only an operator moves the reference down.
/// </summary>
public sealed class FieldRecoveryPolicyTests(PostgresFixture postgres) : IDisposable
{
    private static readonly DateTimeOffset Trained = new(2026, 12, 8, 1, 0, 0, TimeSpan.Zero);
    private readonly TempFolder _folder = new();

    public static TheoryData<StoreDialect> Dialects => [StoreDialect.Sqlite, StoreDialect.PostgreSql];

    private static FieldUpdatePolicy Policy => new FieldUpdatePolicy
    {
        AccuracyDropThreshold = 0.03,
        Cooldown = TimeSpan.FromMinutes(10),
        RefusalBackoffCap = TimeSpan.FromMinutes(60),
        RecoveryAlertSessions = 3,
    }.Validate();

    [Fact]
    public async Task A_part_left_short_of_its_reference_gets_further_sessions_each_after_a_doubled_wait_until_back()
    {
        // The +1000 K story of the field-update bench: 91.8 % before the drift, v2 settles at 75 %, v3 at 84 %, v4 at
        // 90 %. The clock and the ledger are the trainer's; nothing sleeps.
        var token = TestContext.Current.CancellationToken;
        var clock = new ManualClock(Trained);
        await using var store = await MeasurementStore.OpenAsync(_folder.Path("recovery.db"), token);
        var ledger = new FieldUpdateLedger(store);
        await ledger.RaiseReferenceAsync("dev-1", 0.918, 1, token);

        // The drift: v1 falls to 24.5 % against its own reference; the session brings v2 at 75 %.
        Assert.Equal("accuracy-lost", (await DecideAsync(ledger, clock, 0.918, 0.245)).Reason);
        await SessionAsync(ledger, clock, FieldSessionOutcome.Accepted, 2);
        var device = await ledger.DeviceAsync("dev-1", token);
        Assert.Equal((1, (double?)0.918, (int?)1), (device.RecoverySessions, device.AccuracyReference,
            device.ReferenceVersion));

        // v2 settled at 75 %: no fall against itself, 16.8 points short of the part's reference.
        var end = clock.GetUtcNow() + Policy.Cooldown;
        clock.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal(Wait("cooldown", end), await DecideAsync(ledger, clock, 0.75, 0.75));
        clock.Advance(TimeSpan.FromMinutes(6));
        var again = new FieldDecision(UpdateReason.Drift, "under-recovered", null);
        Assert.Equal(again, await DecideAsync(ledger, clock, 0.75, 0.75));
        await SessionAsync(ledger, clock, FieldSessionOutcome.Accepted, 3);

        // v3 at 84 %: still 7.8 points short, and now the wait doubles (20 min), then 40, then the cap.
        end = clock.GetUtcNow() + TimeSpan.FromMinutes(20);
        clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(Wait("recovery-backoff", end), await DecideAsync(ledger, clock, 0.84, 0.84));
        clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal("under-recovered", (await DecideAsync(ledger, clock, 0.84, 0.84)).Reason);
        await SessionAsync(ledger, clock, FieldSessionOutcome.Refused, 4);
        device = await ledger.DeviceAsync("dev-1", token);
        Assert.Equal(3, device.RecoverySessions);
        Assert.True(Policy.RecoveryStalled(device, 0.918 - 0.84));
        Assert.False(Policy.RecoveryStalled(device with { RecoverySessions = 2 }, 0.918 - 0.84));
        Assert.False(Policy.RecoveryStalled(device, 0.02));
        end = clock.GetUtcNow() + TimeSpan.FromMinutes(40);
        Assert.Equal(Wait("recovery-backoff", end), await DecideAsync(ledger, clock, 0.84, 0.84));

        // A new reason still wins: the running version itself falls by the threshold (a further drift).
        clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal("accuracy-lost", (await DecideAsync(ledger, clock, 0.84, 0.80)).Reason);

        // v5 settles at 90 %: within the threshold of 91.8 %, nothing starts, and the count ends.
        clock.Advance(TimeSpan.FromMinutes(30));
        await SessionAsync(ledger, clock, FieldSessionOutcome.Accepted, 5);
        Assert.Equal(Wait("below-threshold"), await DecideAsync(ledger, clock, 0.90, 0.90));
        device = await ledger.RecoveredAsync("dev-1", token);
        Assert.Equal((0, (double?)0.918), (device.RecoverySessions, device.AccuracyReference));
    }

    [Property(MaxTest = 300)]
    public Property Short_of_the_reference_starts_only_once_its_wait_is_over_and_never_within_the_threshold(
        byte sessions, byte refusals, byte minutesAfter, byte shortPoints)
    {
        var policy = Policy;
        var (count, refused) = (sessions % 8, refusals % 8);
        var shortfall = (shortPoints % 30) / 100.0;
        var ledger = FieldDeviceRecord.Empty with
        {
            LastCompleted = Trained,
            LastOutcome = FieldSessionOutcome.Accepted,
            AccuracyReference = 0.9,
            RecoverySessions = count,
            Refusals = refused,
        };
        var now = Trained.AddMinutes(minutesAfter);
        var decision = policy.Decide(
            new FieldCheck(now, null, Trained, ledger, AgentPresence.Online, 0.0, true, shortfall));
        var wait = policy.Wait(Math.Max(count, refused));
        var expected = shortfall < policy.AccuracyDropThreshold ? "below-threshold"
            : now >= Trained + wait ? "under-recovered"
            : Math.Max(count, refused) > 1 ? "recovery-backoff" : "cooldown";
        var offline = policy.Decide(
            new FieldCheck(now, null, Trained, ledger, AgentPresence.Offline, 0.0, true, shortfall));
        return (decision.Reason == expected
            && wait <= policy.RefusalBackoffCap
            && policy.Wait(count + 1) >= policy.Wait(count)
            && !offline.Starts).ToProperty();
    }

    [Theory]
    [MemberData(nameof(Dialects))]
    public async Task The_reference_only_rises_by_itself_survives_reopening_and_an_operator_resets_it(
        StoreDialect dialect)
    {
        var token = TestContext.Current.CancellationToken;
        var target = dialect == StoreDialect.Sqlite
            ? _folder.Path($"reference-{Guid.NewGuid():N}.db")
            : await postgres.NewDatabaseAsync();
        await using (var store = await MeasurementStore.OpenAsync(target, token))
        {
            var ledger = new FieldUpdateLedger(store);

            // No reference yet: a session is not short of anything.
            await ledger.RecordSessionAsync("dev-1", Session(0, FieldSessionOutcome.Accepted, 2), token);
            Assert.Equal(0, (await ledger.DeviceAsync("dev-1", token)).RecoverySessions);
            await ledger.RaiseReferenceAsync("dev-1", 0.918, 2, token);
            var lower = await ledger.RaiseReferenceAsync("dev-1", 0.75, 3, token);
            Assert.Equal(((double?)0.918, (int?)2), (lower.AccuracyReference, lower.ReferenceVersion));
            await ledger.RecordSessionAsync("dev-1", Session(30, FieldSessionOutcome.Accepted, 3), token);
            await ledger.RecordSessionAsync("dev-1", Session(60, FieldSessionOutcome.Failed, null), token);
            await ledger.RecordSessionAsync("dev-1", Session(90, FieldSessionOutcome.Refused, 4), token);
        }

        await using (var reopened = await MeasurementStore.OpenAsync(target, token))
        {
            var ledger = new FieldUpdateLedger(reopened);
            var device = await ledger.DeviceAsync("dev-1", token);

            // A failed session did not count: two completed ones did not bring the part back.
            Assert.Equal((2, (double?)0.918, (int?)2), (device.RecoverySessions, device.AccuracyReference,
                device.ReferenceVersion));
            var higher = await ledger.RaiseReferenceAsync("dev-1", 0.939, 5, token);
            Assert.Equal(((double?)0.939, (int?)5, 2), (higher.AccuracyReference, higher.ReferenceVersion,
                higher.RecoverySessions));
            var reset = await ledger.ResetReferenceAsync("dev-1", token);
            Assert.Equal(((double?)null, (int?)null, 0), (reset.AccuracyReference, reset.ReferenceVersion,
                reset.RecoverySessions));
            Assert.Equal(FieldSessionOutcome.Refused, reset.LastOutcome);
        }
    }

    [Fact]
    public async Task The_operator_resets_the_reference_with_retrain_and_a_plain_retrain_keeps_it()
    {
        var token = TestContext.Current.CancellationToken;
        var path = _folder.Path("retrain.db");
        await using (var store = await MeasurementStore.OpenAsync(path, token))
        {
            var ledger = new FieldUpdateLedger(store);
            await ledger.RaiseReferenceAsync("edge-sim-01", 0.918, 1, token);
            await ledger.RecordSessionAsync("edge-sim-01", Session(0, FieldSessionOutcome.Accepted, 2), token);
        }

        var plain = await TrainerProcess.RunAsync("retrain", "--store", path, "--device-id", "edge-sim-01");
        Assert.Equal(0, plain.ExitCode);
        Assert.Equal((0.918, 1), await ReferenceAsync(path));

        var reset = await TrainerProcess.RunAsync(
            "retrain", "--store", path, "--device-id", "edge-sim-01", "--reset-reference");
        Assert.Equal(0, reset.ExitCode);
        Assert.Contains("forgot the accuracy reference of edge-sim-01 (was 91.8 % (v1))", reset.Output,
            StringComparison.Ordinal);
        Assert.Equal((null, 0), await ReferenceAsync(path));

        static async Task<(double?, int)> ReferenceAsync(string path)
        {
            var token = TestContext.Current.CancellationToken;
            await using var store = await MeasurementStore.OpenAsync(path, token);
            var device = await new FieldUpdateLedger(store).DeviceAsync("edge-sim-01", token);
            Assert.NotNull(device.Requested);
            return (device.AccuracyReference, device.RecoverySessions);
        }
    }

    [Fact]
    public void The_alert_count_is_validated()
    {
        var bad = Assert.Throws<ArgumentException>(() => new FieldUpdatePolicy { RecoveryAlertSessions = 0 }
            .Validate());
        Assert.Contains("RecoveryAlertSessions must lie in 1..100, got 0", bad.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _folder.Dispose();

    private static FieldDecision Wait(string why, DateTimeOffset? until = null) => new(UpdateReason.None, why, until);

    // A check as the service makes it: the running version settled at runningReference, live accuracy live.
    private static async Task<FieldDecision> DecideAsync(
        FieldUpdateLedger ledger, ManualClock clock, double runningReference, double live)
    {
        var device = await ledger.DeviceAsync("dev-1", TestContext.Current.CancellationToken);
        var shortfall = device.AccuracyReference - live;
        return Policy.Decide(new FieldCheck(
            clock.GetUtcNow(), null, Trained, device, AgentPresence.Online, runningReference - live, true, shortfall));
    }

    private static Task SessionAsync(
        FieldUpdateLedger ledger, ManualClock clock, FieldSessionOutcome outcome, int version)
    {
        var started = clock.GetUtcNow();
        clock.Advance(TimeSpan.FromMinutes(1));
        var record = new FieldSessionRecord(started, clock.GetUtcNow(), "drift", outcome, "test", version, null);
        return ledger.RecordSessionAsync("dev-1", record, TestContext.Current.CancellationToken);
    }

    private static FieldSessionRecord Session(int minute, FieldSessionOutcome outcome, int? version) =>
        new(Trained.AddMinutes(minute), Trained.AddMinutes(minute + 1), "drift", outcome, outcome.ToString(), version,
            null);
}
