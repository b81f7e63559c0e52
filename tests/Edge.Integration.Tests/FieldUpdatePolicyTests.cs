using Edge.Domain.Simulation;
using Edge.Trainer.Live;
using Edge.Trainer.Live.Updates;
using Edge.Trainer.Training;
using Edge.Trainer.Twins;

namespace Edge.Integration.Tests;

/// <summary>When a field update is due, what a tracked device remembers, and broker addresses.</summary>
public sealed class FieldUpdatePolicyTests
{
    private static readonly DateTimeOffset Trained = new(2026, 11, 25, 8, 0, 0, TimeSpan.Zero);

    private static readonly FieldDeviceRecord Fresh = FieldDeviceRecord.Empty;

    [Fact]
    public void Drift_above_the_threshold_starts_once_the_cooldown_after_the_last_completed_session_has_passed()
    {
        var policy = new FieldUpdatePolicy { DriftThreshold = 0.05, Cooldown = TimeSpan.FromMinutes(30) }.Validate();
        var accepted = Fresh with { LastCompleted = At(50), LastOutcome = FieldSessionOutcome.Accepted };

        // Counted from the last session, not from when the running package was made.
        Assert.Equal(Start(UpdateReason.Drift, "drifted"), Decide(policy, At(10), 0.051, Fresh));
        Assert.Equal(Wait("below-threshold"), Decide(policy, At(60), 0.05, Fresh));
        Assert.Equal(Wait("cooldown", At(80)), Decide(policy, At(60), 0.5, accepted));
        Assert.Equal(UpdateReason.Drift, Decide(policy, At(80), 0.5, accepted).Start);
        Assert.Equal(Wait("no-score"), Decide(policy, At(60), null, Fresh));

        // A failed session (agent gone, broker down) does not start a cooldown: the next check tries again.
        var failed = Fresh with { LastSession = At(59), LastOutcome = FieldSessionOutcome.Failed };
        Assert.Equal(UpdateReason.Drift, Decide(policy, At(60), 0.5, failed).Start);
    }

    [Fact]
    public void A_refused_offer_is_retried_only_for_more_drift_a_schedule_period_or_an_operator_request()
    {
        var policy = new FieldUpdatePolicy
        {
            DriftThreshold = 0.15,
            Cooldown = TimeSpan.FromMinutes(10),
            Schedule = TimeSpan.FromDays(1),
        }.Validate();
        var refusedAt = At(120);
        var refused = Fresh with
        {
            LastCompleted = refusedAt,
            LastOutcome = FieldSessionOutcome.Refused,
            RefusedVersion = 2,
            RefusedRise = 0.4,
        };
        var hourLater = refusedAt.AddHours(1);

        Assert.Equal(Wait("refused-recently", refusedAt.AddDays(1)), Decide(policy, hourLater, 0.5, refused));
        Assert.Equal(UpdateReason.Drift, Decide(policy, hourLater, 0.56, refused).Start);
        Assert.Equal(UpdateReason.Schedule, Decide(policy, refusedAt.AddDays(1), 0.5, refused).Start);
        var asked = refused with { Requested = refusedAt.AddMinutes(1) };
        var operatorRequest = Start(UpdateReason.Operator, "operator-request");
        Assert.Equal(operatorRequest, Decide(policy, refusedAt.AddMinutes(2), 0.5, asked));

        // A session refused while there was no score answered no drift: drift afterwards is new evidence.
        var scheduleRefused = refused with { RefusedRise = null };
        Assert.Equal(UpdateReason.Drift, Decide(policy, hourLater, 0.2, scheduleRefused).Start);
    }

    [Fact]
    public void Lost_live_accuracy_decides_over_the_twin_residual_and_a_refusal_only_waits_for_the_cooldown()
    {
        var policy = new FieldUpdatePolicy
        {
            AccuracyDropThreshold = 0.03,
            DriftThreshold = 0.15,
            Cooldown = TimeSpan.FromMinutes(30),
        }.Validate();

        // Quieter but wrong (the residual fell 36 %, accuracy 4 points) starts; noisier but right does not.
        Assert.Equal(Start(UpdateReason.Drift, "accuracy-lost"), Decide(policy, At(10), -0.36, 0.042, Fresh));
        Assert.Equal(Wait("below-threshold"), Decide(policy, At(10), 0.7, 0.029, Fresh));
        Assert.Equal(Wait("below-threshold"), Decide(policy, At(10), null, -0.01, Fresh));

        // A refused offer does not make the lost accuracy forgotten: after the cooldown it is tried again.
        var refused = Fresh with
        {
            LastCompleted = At(60),
            LastOutcome = FieldSessionOutcome.Refused,
            RefusedVersion = 2,
            RefusedRise = 0.4,
        };
        Assert.Equal(Wait("cooldown", At(90)), Decide(policy, At(70), 0.4, 0.3, refused));
        Assert.Equal(Start(UpdateReason.Drift, "accuracy-lost"), Decide(policy, At(90), 0.4, 0.3, refused));
        var offline = policy.Decide(new FieldCheck(At(90), null, Trained, Fresh, AgentPresence.Offline, 0.3));
        Assert.Equal(Wait("agent-offline"), offline);

        var bad = Assert.Throws<ArgumentException>(()
            => new FieldUpdatePolicy { AccuracyDropThreshold = 1 }.Validate());
        Assert.Contains("AccuracyDropThreshold must be a fall of accuracy in (0, 1)", bad.Message);
    }

    [Fact]
    public void Nothing_starts_while_the_agent_is_offline_or_its_status_unknown_and_the_reason_says_so()
    {
        var policy = new FieldUpdatePolicy
        {
            DriftThreshold = 0.15,
            Cooldown = TimeSpan.Zero,
            Schedule = TimeSpan.FromHours(1),
        }.Validate();
        var asked = Fresh with { Requested = Trained };
        var offline = policy.Decide(new FieldCheck(At(120), 0.9, Trained, Fresh, AgentPresence.Offline));
        var unknown = policy.Decide(new FieldCheck(At(120), null, Trained, asked, AgentPresence.Unknown));
        var scheduled = policy.Decide(new FieldCheck(At(120), null, Trained, Fresh, AgentPresence.Offline));
        Assert.Equal(Wait("agent-offline"), offline);
        Assert.Equal(Wait("agent-status-unknown"), unknown);
        Assert.Equal(Wait("agent-offline"), scheduled);
    }

    [Fact]
    public void The_schedule_comes_round_from_the_later_of_training_and_the_last_completed_session()
    {
        var policy = new FieldUpdatePolicy { Schedule = TimeSpan.FromDays(1), Cooldown = TimeSpan.Zero }.Validate();
        Assert.Equal(Wait("below-threshold", Trained.AddDays(1)), Decide(policy, At(23 * 60), 0.0, Fresh));
        Assert.Equal(UpdateReason.Schedule, Decide(policy, At(24 * 60), null, Fresh).Start);
        Assert.Equal(UpdateReason.Drift, Decide(policy, At(25 * 60), 1.0, Fresh).Start);
        var refused = Fresh with { LastCompleted = At(20 * 60), RefusedVersion = 2 };
        Assert.Equal(UpdateReason.None, Decide(policy, At(30 * 60), null, refused).Start);
        Assert.Equal(UpdateReason.Schedule, Decide(policy, At(44 * 60), null, refused).Start);
    }

    private static DateTimeOffset At(int minutes) => Trained.AddMinutes(minutes);

    private static FieldDecision Start(UpdateReason reason, string why) => new(reason, why, null);

    private static FieldDecision Wait(string why, DateTimeOffset? until = null) => new(UpdateReason.None, why, until);

    private static FieldDecision Decide(
        FieldUpdatePolicy policy, DateTimeOffset now, double? rise, FieldDeviceRecord ledger) =>
        policy.Decide(new FieldCheck(now, rise, Trained, ledger, AgentPresence.Online));

    private static FieldDecision Decide(
        FieldUpdatePolicy policy, DateTimeOffset now, double? rise, double drop, FieldDeviceRecord ledger) =>
        policy.Decide(new FieldCheck(now, rise, Trained, ledger, AgentPresence.Online, drop));

    [Theory]
    [InlineData(0, 0.15, 10, 100, "CheckInterval must be positive")]
    [InlineData(60, 0, 10, 100, "DriftThreshold must be a positive relative rise")]
    [InlineData(60, double.NaN, 10, 100, "DriftThreshold must be a positive relative rise")]
    [InlineData(60, 0.15, 200, 100, "MinimumSamples (200) <= DriftSamples (100)")]
    public void Bad_settings_are_refused_naming_the_setting(int checkSeconds, double threshold, int minimum,
        int samples, string expected)
    {
        var policy = new FieldUpdatePolicy { CheckInterval = TimeSpan.FromSeconds(checkSeconds),
            DriftThreshold = threshold, MinimumSamples = minimum, DriftSamples = samples };
        var error = Assert.Throws<ArgumentException>(() => policy.Validate());
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tracked_device_loads_its_running_parameters_and_forgets_its_baseline_when_the_model_or_twin_changes()
    {
        var device = PhysicalSystems.Get("electronic").CreateDevice("tracked", 1);
        var running = PnnArchitectures.ForSystem("electronic", device, 12, 7, 32, seed: 1);
        var twin = new PhysicsTwin(PhysicalSystems.Get("electronic").Physics, "nominal");
        var tracked = new FieldDevice("tracked", running, 3, twin, Trained) { BaselineDrift = 0.2 };

        var fresh = PnnArchitectures.ForSystem("electronic", device, 12, 7, 32, seed: 9);
        var random = Enumerable.Range(0,
            running.Parameters.Count).First(i => !running.Parameters[i].Value.SequenceEqual(fresh.Parameters[i].Value));
        tracked.LoadInto(fresh);
        for (var i = 0; i < running.Parameters.Count; i++)
        {
            Assert.Equal(running.Parameters[i].Value, fresh.Parameters[i].Value);
        }

        // A snapshot, not a reference: training the running model object further does not change what is deployed.
        running.Parameters[random].Value[0] += 1;
        tracked.LoadInto(fresh);
        Assert.NotEqual(running.Parameters[random].Value[0], fresh.Parameters[random].Value[0]);

        tracked.AdoptVersion(5);
        Assert.Equal((5, (double?)null, (string?)null), (tracked.Version, tracked.BaselineDrift, tracked.ContentHash));
        tracked.BaselineDrift = 0.3;
        tracked.Accept(fresh, 6, twin, Trained.AddDays(1), "abc");
        Assert.Equal((6, Trained.AddDays(1)), (tracked.Version, tracked.TrainedAt));
        Assert.Equal(((double?)null, "abc"), (tracked.BaselineDrift, tracked.ContentHash));

        var other = PnnArchitectures.Digital(12, 7, 200, 32, seed: 1);
        var error = Assert.Throws<InvalidOperationException>(() => tracked.LoadInto(other));
        Assert.Contains("'tracked'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mqtt://mq.local:1884", "mq.local", 1884, false)]
    [InlineData("mqtt://mq.local", "mq.local", 1883, false)]
    [InlineData("mqtts://mq.local", "mq.local", 8883, true)]
    [InlineData("mqtts://127.0.0.1:1999", "127.0.0.1", 1999, true)]
    public void Broker_addresses_take_an_mqtt_or_mqtts_scheme(string address, string host, int port, bool tls)
    {
        var broker = BrokerOptions.Parse(address, "t");
        Assert.Equal((host, port, tls), (broker.Host, broker.Port, broker.UseTls));
    }

    [Fact]
    public void An_unknown_broker_scheme_is_refused_by_name()
    {
        var error = Assert.Throws<ArgumentException>(() => BrokerOptions.Parse("http://mq.local:80", "t"));
        Assert.Contains("'http://mq.local:80' is not mqtts://host[:port] or mqtt://host[:port]", error.Message,
            StringComparison.Ordinal);
    }
}
