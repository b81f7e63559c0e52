using Edge.Domain.Data;
using Edge.Domain.Models;
using Edge.Domain.Simulation;
using Edge.Tests.Shared.Commissioning;
using Edge.Tests.Shared.Faults;
using Edge.Trainer.Export;
using Edge.Trainer.Live;
using Edge.Trainer.Live.Commissioning;
using Edge.Trainer.Live.Updates;
using Edge.Trainer.Training;
using Edge.Trainer.Twins;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Integration.Tests;

/// <summary>
/// Per-part commissioning: <c>edge-trainer serve --commission</c> as a process, two <c>edge-agent run</c> processes
/// with different parts behind the shipped mosquitto; and the ledger's backoff on its own.
/// </summary>
public sealed class CommissioningTests
{
    private const string NewPart = "sim-0002";

    [Fact]
    public async Task Serve_commissions_a_new_part_once_and_a_restarted_serve_does_not_commission_it_again()
    {
        using var folder = new TempFolder();
        await using var field = await CommissionField.StartAsync(
            folder.Path("field"), FaultExecutables.BesideThisAssembly(), [NewPart], ProductLine.Vowels(epochs: 10));
        string[] serve =
        [
            "serve", "--store", field.StorePath, .. field.Broker.TrainerArguments(),
            "--commission", field.ProductLinePackage, "--signing-key", field.PrivateKey,
            "--calibration", field.Calibration, "--task", "vowels", "--system", FaultAgent.System,
            "--update-packages", field.PackageDirectory, "--commission-twin-samples", "600",
            "--commission-epochs", "1", "--commission-check-every", "00:00:01", "--commission-retry", "00:10:00",
        ];
        using (var first = TrainerProcess.Start(serve))
        {
            await first.WaitForAsync($"Commissioned {NewPart}: v2 accepted", seconds: 300);
            // The trained part is new to the ledger too: it gets its own attempt (accepted or refused).
            await first.WaitForAsync($"{CommissionField.TrainedPart}", count: 2, seconds: 300);
            first.Kill();
        }

        var probe = field.Trainer("commission-test-probe");
        var status = await AgentStatusProbe.ReadAsync(
            probe, NewPart, TimeSpan.FromSeconds(10), cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(2, status?.ModelVersion);
        var kept = Directory.GetFiles(field.PackageDirectory).Order().ToArray();

        using var second = TrainerProcess.Start(serve);
        await second.WaitForAsync($"Commissioning: {NewPart} already commissioned (v2");
        await second.WaitForAsync("ingested", count: 2);
        second.Kill();
        Assert.Equal(0, second.Count($"Commissioning {NewPart} from"));
        Assert.Equal(kept, Directory.GetFiles(field.PackageDirectory).Order().ToArray());
    }

    [Fact]
    public async Task A_failed_commissioning_is_recorded_and_waits_a_doubling_backoff()
    {
        using var folder = new TempFolder();
        var token = TestContext.Current.CancellationToken;
        using var key = PackageSigning.CreateKey();
        using var trust = TrustedKeys.Of(PackageSigning.PublicKeyOf(key));
        var task = VowelDataset.Load();
        var system = PhysicalSystems.Get(FaultAgent.System);
        // A package made for another device only: loading it for the new part fails before anything is sent.
        var package = folder.Path("other.edgepkg");
        WritePackage(package, key, task, system, "someone-else");
        await using var store = await MeasurementStore.OpenAsync(folder.Path("trainer.db"), token);
        var settings = new FieldPatSettings
        {
            Broker = new BrokerOptions { Host = "localhost", Port = 1 },
            Task = task,
            System = system.Name,
            SigningKey = key,
            CalibrationSet = [1],
        };
        var clock = new ManualClock(DateTimeOffset.Parse("2026-12-07T12:00:00Z", null));
        var commissioning = new PartCommissioning(
            new FieldPatSession(settings),
            new FieldPackageLoader(trust, system, task.Test.Count),
            store,
            new CommissioningSettings { ProductLinePackage = package, RetryAfter = TimeSpan.FromMinutes(5) },
            NullLogger.Instance,
            clock);

        var first = await commissioning.CommissionAsync(NewPart, null, token);
        clock.Advance(TimeSpan.FromMinutes(6));
        var second = await commissioning.CommissionAsync(NewPart, null, token);

        Assert.Equal((CommissioningState.Failed, 1), (first.State, first.Attempts));
        Assert.Contains("not made for device", first.Detail, StringComparison.Ordinal);
        Assert.Equal(first.LastAttempt + TimeSpan.FromMinutes(5), first.NextAttempt);
        Assert.Equal((CommissioningState.Failed, 2), (second.State, second.Attempts));
        Assert.Equal(second.LastAttempt + TimeSpan.FromMinutes(10), second.NextAttempt);
        // A restart reads the same record.
        var reread = await new CommissioningLedger(store).FindAsync(NewPart, token);
        Assert.Equal(second, reread);
        // However many attempts failed, the wait is capped (6 h by default), never an overflow.
        Assert.Equal(TimeSpan.FromHours(6), new CommissioningSettings { ProductLinePackage = "x" }.RetryDelay(40));
    }

    private static void WritePackage(
        string path, System.Security.Cryptography.ECDsa key, ClassificationTask task, IPhysicalSystem system,
        string target)
    {
        var part = system.CreateDevice(target, seed: 1);
        var model = PnnArchitectures.ForSystem(
            system.Name, part, task.Train.FeatureCount, task.ClassCount, task.Test.Count, seed: 1);
        var data = TwinData.CollectAsync(part, new TwinDataOptions { Samples = 64, NoiseFloorSamples = 8 }, seed: 1)
            .GetAwaiter().GetResult();
        var twin = MlpTwinFitter.Fit(data, new MlpTwinOptions { Hidden = [8], Epochs = 1 }, seed: 1).Twin;
        var metadata = new PackageMetadata(1, task.Name, task.ClassNames, [1], "test") { Targets = new([target]) };
        using var stream = File.Create(path);
        ModelPackager.Write(stream, model, twin, metadata, key);
    }
}
