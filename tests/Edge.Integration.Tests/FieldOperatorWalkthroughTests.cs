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
/// offered twice.
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
        string[] serve =
        [
            "serve", "--store", field.StorePath, .. field.Broker.TrainerArguments(),
            "--watch", $"{Drifting}={field.ProductLinePackage}", "--watch", $"{Steady}={field.ProductLinePackage}",
            "--signing-key", field.PrivateKey, "--calibration", field.Calibration, "--task", "vowels",
            "--system", FaultAgent.System, "--update-packages", field.PackageDirectory,
            "--check-every", "00:00:02", "--cooldown", "00:00:00", "--update-twin-samples", "600",
            "--update-epochs", "3",
        ];

        using (var first = TrainerProcess.Start(serve))
        {
            // The reference settles from a full window of real probe rounds on both parts.
            await first.WaitForAsync($"Field check of {Drifting}: wait (below-threshold)", seconds: 300);
            await first.WaitForAsync($"Field check of {Steady}: wait (below-threshold)", seconds: 300);

            var topic = EdgeTopics.For(Drifting, TopicKind.Environment);
            const string warm = """{"schemaVersion":1,"ambientKelvin":300}""";
            await EnvironmentControlTests.MosquittoPubAsync(
                field.Broker.Certificates, field.Broker.ServicePort, topic, warm);
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
