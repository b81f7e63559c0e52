using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Edge.Domain.Models;
using Edge.Tests.Shared.Commissioning;
using Edge.Tests.Shared.Faults;
using Edge.Trainer.Live;
using Edge.Trainer.Live.Commissioning;

namespace Edge.Benchmarks;

/// <summary>
/// <c>commission [--parts N | --new-parts a,b] [--epochs N] [--twin-samples N] [--commission-epochs N] [--passes N]
/// [--out file.json]</c>: does commissioning bring a new part back to the part the product-line model was trained
/// on, and how fast?
/// The field is real processes (<see cref="CommissionField"/>: mosquitto with the shipped configuration, one
/// <c>edge-agent run</c> per part, the product-line package installed on each); the trainer side is the code
/// <c>serve --commission</c> runs (<see cref="PartCommissioning"/> with <see cref="CommissioningDefaults"/>), over
/// MQTT. Accuracies are the vowel test split through each agent's part, averaged over the passes. Prints a table and
/// writes JSON.
/// </summary>
internal static class CommissionBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var parts = int.Parse(AgentRssBench.Option(args, "--parts", "2"), CultureInfo.InvariantCulture);
        var epochs = int.Parse(AgentRssBench.Option(args, "--epochs", "100"), CultureInfo.InvariantCulture);
        var twinSamples = int.Parse(
            AgentRssBench.Option(args, "--twin-samples", $"{CommissioningDefaults.TwinSamples}"),
            CultureInfo.InvariantCulture);
        var fineTune = int.Parse(
            AgentRssBench.Option(args, "--commission-epochs", $"{CommissioningDefaults.Epochs}"),
            CultureInfo.InvariantCulture);
        var passes = int.Parse(AgentRssBench.Option(args, "--passes", "4"), CultureInfo.InvariantCulture);
        var output = AgentRssBench.Option(args, "--out", "artifacts/bench/commission.json");
        // --new-parts names the parts (a part known to lose much, say); else sim-0002, sim-0003, …
        var listed = AgentRssBench.Option(args, "--new-parts", "");
        var newParts = listed.Length > 0
            ? listed.Split(',', StringSplitOptions.RemoveEmptyEntries)
            : Enumerable.Range(2, parts)
                .Select(i => string.Create(CultureInfo.InvariantCulture, $"sim-{i:D4}"))
                .ToArray();
        parts = newParts.Length;

        var folder = Directory.CreateTempSubdirectory("edge-commission-").FullName;
        Console.WriteLine($"Training the product-line vowel model on {CommissionField.TrainedPart} ({epochs} epochs), "
            + $"starting mosquitto and {parts + 1} agents…");
        await using var field = await CommissionField.StartAsync(
            folder, FaultExecutables.BesideThisAssembly(), newParts, ProductLine.Vowels(epochs));
        var trained = await WithAgentAsync(() => field.AccuracyAsync(
            CommissionField.TrainedPart, field.ProductLinePackage, passes));
        Console.WriteLine($"{CommissionField.TrainedPart} (trained on): {trained:P1} through its agent");
        Console.WriteLine("| part | trained part | before | after | gap (points) | seconds | drives | verdict |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        var rows = new JsonArray();
        await using var store = await MeasurementStore.OpenAsync(field.StorePath);
        using var key = field.LoadKey();
        using var trust = TrustedKeys.Of(PackageSigning.PublicKeyOf(key));
        var commissioning = field.Commissioning(store, key, trust, twinSamples, fineTune);
        foreach (var part in newParts)
        {
            var before = await WithAgentAsync(() => field.AccuracyAsync(part, field.ProductLinePackage, passes));
            var clock = Stopwatch.StartNew();
            var record = await commissioning.CommissionAsync(part, activeVersion: 1);
            var seconds = clock.Elapsed.TotalSeconds;
            var drives = commissioning.LastOutcome?.DrivesSent ?? 0;
            double? after = record.Version is { } version
                ? await field.AccuracyAsync(part, field.CommissionedPackage(part, version), passes)
                : null;
            var gap = after is { } a ? (trained - a) * 100 : double.NaN;
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {part} | {trained:P1} | {before:P1} | {after:P1} | {gap:F1} | {seconds:F1} | {drives} | "
                + $"{record.State}: {record.Detail} |"));
            rows.Add(new JsonObject
            {
                ["part"] = part,
                ["trained_part_accuracy"] = trained,
                ["accuracy_before"] = before,
                ["accuracy_after"] = after,
                ["gap_points"] = double.IsFinite(gap) ? gap : null,
                ["seconds"] = seconds,
                ["drives"] = drives,
                ["state"] = CommissioningLedger.Name(record.State),
                ["verdict"] = record.Detail,
            });
        }

        var result = new JsonObject
        {
            ["bench"] = "commission",
            ["system"] = field.System,
            ["task"] = field.Task.Name,
            ["trained_part"] = CommissionField.TrainedPart,
            ["product_line_epochs"] = epochs,
            ["twin_samples"] = twinSamples,
            ["fine_tune_epochs"] = fineTune,
            ["evaluation_passes"] = passes,
            ["processor_count"] = Environment.ProcessorCount,
            ["rows"] = rows,
        };
        BenchJson.Write(result, output);
        Directory.Delete(folder, recursive: true);
        return 0;
    }

    // A freshly started agent takes a few seconds to publish its status: retry until it answers (90 s at most).
    private static async Task<double> WithAgentAsync(Func<Task<double>> measure)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return await measure();
            }
            catch (RemoteDeviceException) when (clock.Elapsed < TimeSpan.FromSeconds(90))
            {
                await Task.Delay(1000);
            }
        }
    }
}
