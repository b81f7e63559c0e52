using Edge.Trainer.Live;
using Edge.Trainer.Live.Updates;

namespace Edge.Integration.Tests;

/// <summary>
/// Refusals in a row back off: the wait before the next try doubles with each, is capped, survives a restart in the
/// ledger, and a new reason (an operator's request, a further fall) starts afresh. The live-accuracy reference waits
/// for a figure of a full probe window.
/// </summary>
public sealed class FieldRefusalBackoffTests(PostgresFixture postgres) : IDisposable
{
    private static readonly DateTimeOffset Trained = new(2026, 12, 7, 8, 0, 0, TimeSpan.Zero);
    private readonly TempFolder _folder = new();

    public static TheoryData<StoreDialect> Dialects => [StoreDialect.Sqlite, StoreDialect.PostgreSql];

    [Fact]
    public void Each_refusal_in_a_row_doubles_the_wait_up_to_the_cap_and_a_new_reason_waits_the_plain_cooldown()
    {
        var policy = new FieldUpdatePolicy
        {
            AccuracyDropThreshold = 0.03,
            Cooldown = TimeSpan.FromMinutes(10),
            RefusalBackoffCap = TimeSpan.FromMinutes(60),
        }.Validate();
        Assert.Equal(
            [10, 10, 20, 40, 60, 60],
            new[] { 0, 1, 2, 3, 4, 40 }.Select(n => policy.Wait(n).TotalMinutes).ToArray());

        // Third refusal at minute 100 of a 5-point loss: 40 minutes before the same loss is tried again.
        var refused = FieldDeviceRecord.Empty with
        {
            LastCompleted = At(100),
            LastOutcome = FieldSessionOutcome.Refused,
            RefusedVersion = 4,
            Refusals = 3,
            RefusedDrop = 0.05,
        };
        Assert.Equal(Wait("refused-backoff", At(140)), Decide(policy, At(115), 0.05, refused));
        Assert.Equal(Wait("refused-backoff", At(140)), Decide(policy, At(139), 0.079, refused));
        var again = Decide(policy, At(140), 0.05, refused);
        Assert.Equal(new FieldDecision(UpdateReason.Drift, "accuracy-lost", null), again);

        // Fallen by another threshold since the refusal: a new reason, only the plain cooldown.
        Assert.Equal(Wait("cooldown", At(110)), Decide(policy, At(105), 0.08, refused));
        var further = Decide(policy, At(110), 0.08, refused);
        Assert.Equal(new FieldDecision(UpdateReason.Drift, "accuracy-fell-further", null), further);
        Assert.True(further.NewReason);
        Assert.False(Decide(policy, At(140), 0.05, refused).NewReason);

        // An operator's request is one too; and a single refusal waits the plain cooldown, named as such.
        var asked = policy.Decide(new FieldCheck(At(101), null, Trained, refused with { Requested = At(101) },
            AgentPresence.Online, 0.05, true));
        Assert.True(asked.Starts && asked.NewReason);
        Assert.Equal(Wait("cooldown", At(110)), Decide(policy, At(105), 0.05, refused with { Refusals = 1 }));

        var bad = Assert.Throws<ArgumentException>(() => new FieldUpdatePolicy
        {
            Cooldown = TimeSpan.FromHours(2),
            RefusalBackoffCap = TimeSpan.FromHours(1),
        }.Validate());
        Assert.Contains("RefusalBackoffCap (01:00:00) must not be shorter than Cooldown", bad.Message);
    }

    [Fact]
    public void An_agent_that_publishes_a_live_accuracy_is_not_judged_on_the_twin_while_its_reference_settles()
    {
        var policy = new FieldUpdatePolicy { DriftThreshold = 0.15 }.Validate();
        var settling = policy.Decide(
            new FieldCheck(At(5), 0.9, Trained, FieldDeviceRecord.Empty, AgentPresence.Online, null, true));
        var twinOnly = policy.Decide(
            new FieldCheck(At(5), 0.9, Trained, FieldDeviceRecord.Empty, AgentPresence.Online, null, false));
        Assert.Equal(Wait("no-score"), settling);
        Assert.Equal(new FieldDecision(UpdateReason.Drift, "drifted", null), twinOnly);
        Assert.Throws<ArgumentException>(() => new FieldUpdatePolicy { AccuracyReferenceRounds = 0 }.Validate());
    }

    [Theory]
    [MemberData(nameof(Dialects))]
    public async Task Refusals_in_a_row_survive_reopening_the_store_and_restart_with_a_new_reason_or_an_acceptance(
        StoreDialect dialect)
    {
        var token = TestContext.Current.CancellationToken;
        var target = dialect == StoreDialect.Sqlite
            ? _folder.Path($"backoff-{Guid.NewGuid():N}.db")
            : await postgres.NewDatabaseAsync();
        await using (var store = await MeasurementStore.OpenAsync(target, token))
        {
            var ledger = new FieldUpdateLedger(store);
            await ledger.RecordSessionAsync("dev-1", Refused(0, 2, 0.05, newReason: false), token);
            await ledger.RecordSessionAsync("dev-1", Refused(30, 3, 0.06, newReason: false), token);
            await ledger.RecordSessionAsync("dev-1", Session(60, FieldSessionOutcome.Failed, null), token);
        }

        await using (var reopened = await MeasurementStore.OpenAsync(target, token))
        {
            var ledger = new FieldUpdateLedger(reopened);
            var device = await ledger.DeviceAsync("dev-1", token);
            Assert.Equal((2, (double?)0.06, (int?)3), (device.Refusals, device.RefusedDrop, device.RefusedVersion));

            await ledger.RecordSessionAsync("dev-1", Refused(90, 4, 0.06, newReason: false), token);
            Assert.Equal(3, (await ledger.DeviceAsync("dev-1", token)).Refusals);
            await ledger.RecordSessionAsync("dev-1", Refused(120, 5, 0.09, newReason: true), token);
            var afresh = await ledger.DeviceAsync("dev-1", token);
            Assert.Equal((1, (double?)0.09), (afresh.Refusals, afresh.RefusedDrop));
            await ledger.RecordSessionAsync("dev-1", Session(150, FieldSessionOutcome.Accepted, 6), token);
            var accepted = await ledger.DeviceAsync("dev-1", token);
            Assert.Equal((0, (double?)null), (accepted.Refusals, accepted.RefusedDrop));
        }
    }

    public void Dispose() => _folder.Dispose();

    private static DateTimeOffset At(int minutes) => Trained.AddMinutes(minutes);

    private static FieldDecision Wait(string why, DateTimeOffset? until = null) => new(UpdateReason.None, why, until);

    private static FieldDecision Decide(
        FieldUpdatePolicy policy, DateTimeOffset now, double drop, FieldDeviceRecord ledger) =>
        policy.Decide(new FieldCheck(now, null, Trained, ledger, AgentPresence.Online, drop, true));

    private static FieldSessionRecord Refused(int minute, int version, double drop, bool newReason) =>
        Session(minute, FieldSessionOutcome.Refused, version) with { AccuracyDrop = drop, NewReason = newReason };

    private static FieldSessionRecord Session(int minute, FieldSessionOutcome outcome, int? version) =>
        new(At(minute), At(minute + 1), "drift", outcome, outcome.ToString(), version, null);
}
