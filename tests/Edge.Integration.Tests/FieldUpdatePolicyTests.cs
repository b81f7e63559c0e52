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

    [Fact]
    public void Drift_above_the_threshold_is_due_once_the_cooldown_has_passed()
    {
        var policy = new FieldUpdatePolicy { DriftThreshold = 0.05, Cooldown = TimeSpan.FromMinutes(30) }.Validate();
        Assert.Equal(UpdateReason.Drift, policy.Due(Trained.AddHours(1), Trained, 0.051));
        Assert.Equal(UpdateReason.None, policy.Due(Trained.AddHours(1), Trained, 0.05));
        Assert.Equal(UpdateReason.None, policy.Due(Trained.AddMinutes(10), Trained, 0.5));
        Assert.Equal(UpdateReason.None, policy.Due(Trained.AddHours(1), Trained, null));
    }

    [Fact]
    public void The_schedule_comes_round_without_drift_and_drift_takes_precedence()
    {
        var policy = new FieldUpdatePolicy { Schedule = TimeSpan.FromDays(1), Cooldown = TimeSpan.Zero }.Validate();
        Assert.Equal(UpdateReason.None, policy.Due(Trained.AddHours(23), Trained, 0.0));
        Assert.Equal(UpdateReason.Schedule, policy.Due(Trained.AddHours(24), Trained, null));
        Assert.Equal(UpdateReason.Drift, policy.Due(Trained.AddHours(25), Trained, 1.0));
    }

    [Theory]
    [InlineData(0, 0.15, 10, 100, "CheckInterval must be positive")]
    [InlineData(60, 0, 10, 100, "DriftThreshold must be a positive relative rise")]
    [InlineData(60, double.NaN, 10, 100, "DriftThreshold must be a positive relative rise")]
    [InlineData(60, 0.15, 200, 100, "MinimumSamples (200) <= DriftSamples (100)")]
    public void Bad_settings_are_refused_naming_the_setting(int checkSeconds, double threshold, int minimum, int samples, string expected)
    {
        var policy = new FieldUpdatePolicy { CheckInterval = TimeSpan.FromSeconds(checkSeconds), DriftThreshold = threshold, MinimumSamples = minimum, DriftSamples = samples };
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
        var random = Enumerable.Range(0, running.Parameters.Count).First(i => !running.Parameters[i].Value.SequenceEqual(fresh.Parameters[i].Value));
        tracked.LoadInto(fresh);
        for (var i = 0; i < running.Parameters.Count; i++)
        {
            Assert.Equal(running.Parameters[i].Value, fresh.Parameters[i].Value);
        }

        // A snapshot, not a reference: training the running model object further does not change what is deployed.
        running.Parameters[random].Value[0] += 1;
        tracked.LoadInto(fresh);
        Assert.NotEqual(running.Parameters[random].Value[0], fresh.Parameters[random].Value[0]);

        tracked.AdoptTwin(twin);
        Assert.Null(tracked.BaselineDrift);
        tracked.BaselineDrift = 0.3;
        tracked.Accept(fresh, 4, twin, Trained.AddDays(1));
        Assert.Equal((4, Trained.AddDays(1), (double?)null), (tracked.Version, tracked.TrainedAt, tracked.BaselineDrift));

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
        Assert.Contains("'http://mq.local:80' is not mqtts://host[:port] or mqtt://host[:port]", error.Message, StringComparison.Ordinal);
    }
}
