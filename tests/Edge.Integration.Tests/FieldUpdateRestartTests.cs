using Edge.Trainer.Live.Updates;

namespace Edge.Integration.Tests;

/// <summary>
/// A trainer with a memory, on the shipped mosquitto configuration with a real agent: each "restart" is a new
/// <see cref="FieldUpdateService"/> on a new connection to the same store, started with the same <c>--watch</c>
/// package (v1), as an operator restarts <c>serve</c> with the documented command.
/// </summary>
public sealed class FieldUpdateRestartTests
{
    private static readonly FieldUpdatePolicy Policy = new()
    {
        DriftThreshold = 0.15,
        Cooldown = TimeSpan.Zero,
        MinimumSamples = 150,
        DriftSamples = 300,
    };

    [Fact]
    public async Task Restarted_trainers_act_on_earlier_drift_never_loop_on_a_refusal_nor_republish_accepted_versions()
    {
        await using var lab = await FieldLab.StartAsync();
        await lab.MeasureAsync(300);
        await using (var first = await lab.StartTrainerAsync(Policy))
        {
            Assert.Empty(await first.CheckAsync());
            Assert.Equal("below-threshold", first.Decisions[^1].Reason);
        }

        // The part warms up while no trainer runs; the restarted trainer compares with the reference measured before.
        lab.Part.AmbientShiftKelvin = 300;
        await lab.MeasureAsync(300);
        lab.Verdicts.Accept = false;
        await using (var second = await lab.StartTrainerAsync(Policy))
        {
            var refused = Assert.Single(await second.CheckAsync());
            Assert.Equal((2, false, UpdateReason.Drift), (refused.Version, refused.Accepted, refused.Reason));
            Assert.Equal(1, second.Metrics.FieldRefusalsInARow.WithLabels(FieldLab.Device).Value);
            var token = TestContext.Current.CancellationToken;
            Assert.Equal(1, (await second.Service.Ledger.DeviceAsync(FieldLab.Device, token)).Refusals);
            Assert.Empty(await second.CheckAsync());
            Assert.Equal("refused-recently", second.Decisions[^1].Reason);
        }

        // Restarted again: the refusal and the drift it answered are remembered; nothing is offered.
        // This one runs a day ahead: the session's times come from the trainer's clock, not the system's.
        var dayAhead = new ShiftedClock(TimeSpan.FromDays(1));
        await using (var third = await lab.StartTrainerAsync(Policy, dayAhead))
        {
            Assert.Empty(await third.CheckAsync());
            Assert.Equal("refused-recently", third.Decisions[^1].Reason);
            Assert.Equal(2, third.Metrics.ModelPublishedVersion.WithLabels(FieldLab.Device).Value);

            // More drift is a new reason: the next offer gets a new number, never the refused one again.
            lab.Part.AmbientShiftKelvin = 900;
            await lab.MeasureAsync(300);
            lab.Verdicts.Accept = true;
            var accepted = Assert.Single(await third.CheckAsync());
            Assert.Equal((3, true), (accepted.Version, accepted.Accepted));
            Assert.InRange(accepted.At - DateTimeOffset.UtcNow, TimeSpan.FromHours(23), TimeSpan.FromHours(25));
            Assert.Equal(3, third.Metrics.ModelAcceptedVersion.WithLabels(FieldLab.Device).Value);
            Assert.Equal(0, third.Metrics.FieldRefusalsInARow.WithLabels(FieldLab.Device).Value);
        }

        // Still started with --watch v1: it learns from the agent's status that v3 runs, and continues from v3's
        // package.
        await using (var fourth = await lab.StartTrainerAsync(Policy))
        {
            Assert.Empty(await fourth.CheckAsync());
            Assert.Equal((3, "below-threshold"), (fourth.Device.Version, fourth.Decisions[^1].Reason));
            Assert.Empty(await fourth.CheckAsync());
            Assert.Equal(3, fourth.Metrics.ModelPublishedVersion.WithLabels(FieldLab.Device).Value);
            Assert.Equal(3, fourth.Metrics.ModelAcceptedVersion.WithLabels(FieldLab.Device).Value);
            var v3 = await fourth.Service.Ledger.VersionAsync(
                FieldLab.Device, 3, TestContext.Current.CancellationToken);
            Assert.Equal(FieldVersionState.Accepted, v3!.State);
            Assert.Equal(v3.Sha256, fourth.Device.ContentHash);
        }

        // Each version went out once, each with its own content, each kept in a file of its own.
        var offered = lab.Verdicts.Offered;
        Assert.Equal(new[] { 2, 3 }, offered.Select(o => o.Version));
        Assert.NotEqual(offered[0].Sha256, offered[1].Sha256);
        foreach (var (version, sha) in offered)
        {
            var path = Path.Combine(lab.PackageDirectory, $"{FieldLab.Device}-v{version}.edgepkg");
            var kept = await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken);
            Assert.Equal(sha, FieldPackageLoader.Hash(kept));
        }
    }

    [Fact]
    public async Task A_killed_serve_restarted_with_the_same_command_follows_the_agent_and_publishes_nothing_again()
    {
        await using var lab = await FieldLab.StartAsync();
        await lab.MeasureAsync(300);
        var serve = lab.ServeArguments();
        using (var first = TrainerProcess.Start(serve))
        {
            await first.WaitForAsync($"Field check of {FieldLab.Device}: wait (below-threshold)");
            var (exit, output) = await TrainerProcess.RunAsync(
                "retrain", "--store", lab.StorePath, "--device-id", FieldLab.Device);
            Assert.True(exit == 0, output);
            Assert.Contains($"requested a field update of {FieldLab.Device}", output, StringComparison.Ordinal);
            await first.WaitForAsync($"Field check of {FieldLab.Device}: start (operator-request)");
            await first.WaitForAsync($"Field update of {FieldLab.Device}: v2 accepted (activated v2)");
            first.Kill();
        }

        // Restarted with the very same command (still --watch v1): it follows the agent to v2 and offers nothing.
        using var second = TrainerProcess.Start(serve);
        await second.WaitForAsync($"{FieldLab.Device} runs v2 (tracked: v1); continuing from its package");
        await second.WaitForAsync($"Field check of {FieldLab.Device}: wait (below-threshold)", count: 3);
        second.Kill();
        Assert.Equal(0, second.Count($"Field check of {FieldLab.Device}: start"));
        Assert.Equal(new[] { 2 }, lab.Verdicts.Offered.Select(o => o.Version));
    }

    [Theory]
    [InlineData("--cooldown", "-00:01:00", "Edge:FieldUpdates:Cooldown: must not be negative, was -00:01:00.")]
    [InlineData(
        "--drift-min-samples",
        "400",
        "Edge:FieldUpdates:DriftMinSamples: must be at least 1 and at most DriftSamples (300), was 400.")]
    [InlineData("--check-every", "00:00:00", "Edge:FieldUpdates:CheckEvery: must be positive, was 00:00:00.")]
    [InlineData(
        "--accuracy-drop",
        "1.5",
        "Edge:FieldUpdates:AccuracyDrop: must be a fall of accuracy in (0, 1) (0.03 = three points), was 1.5.")]
    public async Task A_bad_watch_option_stops_serve_naming_its_key(string option, string value, string expected)
    {
        using var folder = new TempFolder();
        var (exit, output) = await TrainerProcess.RunAsync(
            "serve", "--broker", "mqtt://127.0.0.1:1", "--allow-plaintext", "--store", folder.Path("store.db"),
            "--watch", "dev-a=missing.edgepkg", option, value);
        Assert.Equal(3, exit);
        Assert.Contains(expected, output, StringComparison.Ordinal);
    }
}
