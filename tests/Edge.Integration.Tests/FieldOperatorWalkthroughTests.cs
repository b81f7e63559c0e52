using System.Globalization;
using Edge.Domain.Messaging;
using Edge.Tests.Shared.Commissioning;
using Edge.Tests.Shared.Faults;
using Edge.Trainer.Live;
using Edge.Trainer.Live.Updates;

namespace Edge.Integration.Tests;

/// <summary>
/// The operator's path of docs/field-updates.md with real processes and real calibration probes: mosquitto with the
/// shipped configuration, two <c>edge-agent run</c> processes with real model stores (the product-line package
/// installed with <c>edge-agent models install</c>, calibration probes every 2 s) and <c>edge-trainer serve --watch</c>
/// as a process. The operator warms one part with the documented <c>mosquitto_pub</c>; the trainer sees its live
/// accuracy fall, starts a field PAT session, is killed (SIGKILL) mid-session and started again with the same
/// command; the agent validates and activates the signed update; the other agent is left alone; no version number is
/// offered twice. A part warmed so far that one session brings it back only part of the way gets a second session.
/// </summary>
public sealed class FieldOperatorWalkthroughTests
{
    private const string Drifting = CommissionField.TrainedPart;
    private const string Steady = "sim-0002";

    [Fact]
    public async Task A_warmed_part_loses_live_accuracy_and_is_re_trained_once_across_a_killed_trainer()
    {
        var token = TestContext.Current.CancellationToken;
        using var folder = new TempFolder();
        var probes = new Dictionary<string, string> { ["EDGE_MODELS__CALIBRATIONPROBESECONDS"] = "2" };
        await using var field = await CommissionField.StartAsync(
            folder.Path("field"), FaultExecutables.BesideThisAssembly(), [Steady], ProductLine.Vowels(epochs: 10),
            probes, ["operator"]);
        // One drift session across a restart is under test here; the 3-epoch v2 can land more than 3 points short of
        // v1 (38.8 vs 46.4 % in one CI run), which rightly starts an under-recovered session (the next test's subject).
        // A 15-point threshold still sees the +300 K loss (about 30 points) and leaves v2 alone.
        string[] serve = [.. Serve(field, Drifting, Steady), "--update-epochs", "3", "--accuracy-drop", "0.15"];

        using (var first = TrainerProcess.Start(serve))
        {
            // The reference settles from a full window of real probe rounds on both parts.
            await first.WaitForAsync($"Field check of {Drifting}: wait (below-threshold)", seconds: 300);
            await first.WaitForAsync($"Field check of {Steady}: wait (below-threshold)", seconds: 300);

            await WarmAsync(field, kelvin: 300);
            await first.WaitForAsync($"Field check of {Drifting}: start (accuracy-lost)", seconds: 300);
            first.Kill();
            Assert.Equal(0, first.Count("Field update of"));
        }

        double drifted;
        using (var second = TrainerProcess.Start(serve))
        {
            // The restarted trainer reads the reference back: the part is still drifted, and it acts on it.
            await second.WaitForAsync($"Field check of {Drifting}: start (accuracy-lost)", seconds: 300);
            await second.WaitForAsync($"Field update of {Drifting}: v2 accepted", seconds: 600);
            drifted = LiveAccuracy(second.Lines.First(l => l.Contains($"{Drifting}: start", StringComparison.Ordinal)));
            var accepted = second.Count("Field check of");
            // v2's own reference settles from fresh rounds and nothing more starts.
            await second.WaitForAsync($"Field check of {Drifting}: wait (below-threshold)", seconds: 300);
            await second.WaitForAsync("Field check of", count: accepted + 8, seconds: 300);
            second.Kill();
            // The figures of the walkthrough, for its log: the decision, the session and the verdict.
            foreach (var line in second.Lines.Where(l => l.Contains($"of {Drifting}: start", StringComparison.Ordinal)
                || l.Contains("Field update of", StringComparison.Ordinal)))
            {
                TestContext.Current.TestOutputHelper?.WriteLine(line);
            }

            Assert.Equal(1, second.Count($"Field check of {Drifting}: start"));
            Assert.Equal(0, second.Count($"Field check of {Steady}: start"));
        }

        var status = await StatusAsync(field, Drifting, token);
        Assert.Equal(2, status?.ModelVersion);
        // The agent's own gate (no worse on its calibration set) let it in; its probes agree, within two examples.
        var live = status?.LiveAccuracy;
        Assert.True(live >= drifted - 0.041, $"live accuracy of v2 {live}, of v1 drifted {drifted}");
        Assert.Equal(1, (await StatusAsync(field, Steady, token))?.ModelVersion);

        // One offer, one number, one content: the kept package is what the ledger recorded as accepted.
        var kept = Assert.Single(Directory.GetFiles(field.PackageDirectory));
        Assert.Equal($"{Drifting}-v2.edgepkg", Path.GetFileName(kept));
        await using var store = await MeasurementStore.OpenAsync(field.StorePath, token);
        var ledger = new FieldUpdateLedger(store);
        var v2 = await ledger.VersionAsync(Drifting, 2, token);
        Assert.Equal(FieldVersionState.Accepted, v2?.State);
        Assert.Equal(FieldPackageLoader.Hash(await File.ReadAllBytesAsync(kept, token)), v2?.Sha256);
        Assert.Equal(1, await ledger.MaxVersionAsync(Steady, token));
    }

    [Fact]
    public async Task A_part_brought_back_only_part_of_the_way_gets_another_session_against_its_old_reference()
    {
        var token = TestContext.Current.CancellationToken;
        using var folder = new TempFolder();
        var probes = new Dictionary<string, string> { ["EDGE_MODELS__CALIBRATIONPROBESECONDS"] = "2" };
        await using var field = await CommissionField.StartAsync(
            folder.Path("field"), FaultExecutables.BesideThisAssembly(), [], ProductLine.Vowels(epochs: 10), probes,
            ["operator"]);

        // Two PAT epochs cannot undo +1000 K (the bench's 20 bring it to 75 % of 91.8 %): v2 lands short.
        using var trainer = TrainerProcess.Start([.. Serve(field, Drifting), "--update-epochs", "2"]);
        await trainer.WaitForAsync($"Field check of {Drifting}: wait (below-threshold)", seconds: 300);
        await WarmAsync(field, kelvin: 1000);
        await trainer.WaitForAsync($"Field check of {Drifting}: start (accuracy-lost)", seconds: 300);
        await trainer.WaitForAsync($"Field update of {Drifting}: v2 accepted", seconds: 600);
        await trainer.WaitForAsync($"Field check of {Drifting}: start (under-recovered)", seconds: 300);
        await trainer.WaitForAsync($"Field update of {Drifting}: v3 ", seconds: 600);
        trainer.Kill();
        var lines = trainer.Lines.ToList();
        foreach (var line in lines.Where(l => l.Contains($"of {Drifting}: start", StringComparison.Ordinal)
            || l.Contains($"Field update of {Drifting}", StringComparison.Ordinal)))
        {
            TestContext.Current.TestOutputHelper?.WriteLine(line);
        }

        // The second session answers v2's shortfall against v1's settled figure, not v2's own (which it had settled).
        var accepted = lines.FindIndex(l => l.Contains($"{Drifting}: v2 accepted", StringComparison.Ordinal));
        var again = lines.FindIndex(l => l.Contains($"{Drifting}: start (under-recovered)", StringComparison.Ordinal));
        Assert.True(accepted >= 0 && again > accepted, "the under-recovered session starts after v2 was accepted");
        Assert.Contains("running v2", lines[again], StringComparison.Ordinal);
        Assert.Contains("(v1), 1 session(s) short of it", lines[again], StringComparison.Ordinal);
        await using var store = await MeasurementStore.OpenAsync(field.StorePath, token);
        var ledger = new FieldUpdateLedger(store);
        var v1 = await ledger.VersionAsync(Drifting, 1, token);
        var v2 = await ledger.VersionAsync(Drifting, 2, token);
        var device = await ledger.DeviceAsync(Drifting, token);
        Assert.Equal((v1?.AccuracyBaseline, (int?)1), (device.AccuracyReference, device.ReferenceVersion));
        Assert.True(
            v2?.AccuracyBaseline <= v1?.AccuracyBaseline - 0.03,
            $"v2 settled at {v2?.AccuracyBaseline}, v1 at {v1?.AccuracyBaseline}: short by the threshold");
        Assert.Equal(2, device.RecoverySessions);

        // Each session its own number and content.
        Assert.Equal(3, await ledger.MaxVersionAsync(Drifting, token));
        var kept = Directory.GetFiles(field.PackageDirectory).Order().ToArray();
        Assert.Equal([$"{Drifting}-v2.edgepkg", $"{Drifting}-v3.edgepkg"], kept.Select(Path.GetFileName));
        Assert.NotEqual(await File.ReadAllBytesAsync(kept[0], token), await File.ReadAllBytesAsync(kept[1], token));
    }

    // The documented serve --watch of docs/field-updates.md for the given parts, checking every 2 s, no cooldown.
    private static string[] Serve(CommissionField field, params string[] devices) =>
    [
        "serve", "--store", field.StorePath, .. field.Broker.TrainerArguments(),
        .. devices.SelectMany(d => new[] { "--watch", $"{d}={field.ProductLinePackage}" }),
        "--signing-key", field.PrivateKey, "--calibration", field.Calibration, "--task", "vowels",
        "--system", FaultAgent.System, "--update-packages", field.PackageDirectory,
        "--check-every", "00:00:02", "--cooldown", "00:00:00", "--update-twin-samples", "600",
    ];

    // The operator's documented warm-up, through the broker with mosquitto_pub.
    private static Task WarmAsync(CommissionField field, int kelvin) =>
        EnvironmentControlTests.MosquittoPubAsync(
            field.Broker.Certificates,
            field.Broker.ServicePort,
            EdgeTopics.For(Drifting, TopicKind.Environment),
            string.Create(CultureInfo.InvariantCulture, $$"""{"schemaVersion":1,"ambientKelvin":{{kelvin}}}"""));

    // "… live accuracy 61.2 % vs reference …" of a check line.
    private static double LiveAccuracy(string checkLine)
    {
        var start = checkLine.IndexOf("live accuracy ", StringComparison.Ordinal) + "live accuracy ".Length;
        var end = checkLine.IndexOf(" %", start, StringComparison.Ordinal);
        return double.Parse(checkLine[start..end], CultureInfo.InvariantCulture) / 100;
    }

    private static Task<StatusMessage?> StatusAsync(CommissionField field, string device, CancellationToken token) =>
        AgentStatusProbe.ReadAsync(
            field.Trainer($"walkthrough-{device}"), device, TimeSpan.FromSeconds(10), cancellationToken: token);
}
