using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Edge.Domain.Data;
using Edge.Domain.Models;
using Edge.Domain.Simulation;
using Edge.Tests.Shared.Faults;
using Edge.Trainer.Export;
using Edge.Trainer.Training;
using Edge.Trainer.Twins;

namespace Edge.Benchmarks;

/// <summary>
/// <c>agent-rss [--agent PATH] [--unit FILE] [--warmup S] [--seconds S] [--out file.json]</c>: the resident memory of
/// the real <c>edge-agent run</c> process with a model active and under load, started with the runtime settings
/// (<c>Environment=DOTNET_…</c>) of the systemd unit it is deployed with. A trained electronic vowel model is packaged,
/// signed and installed with <c>edge-agent models install</c>; then <c>run</c> classifies a 49-example CSV dropped into
/// its watched folder every 200 ms (≈ 245 inferences/s). After the warm-up, VmRSS is sampled every 100 ms from
/// /proc; the table gives min/median/max, the peak (VmHWM) and, from smaps_rollup at the end, the private (USS),
/// proportional (PSS) and shared-clean parts.
/// </summary>
internal static class AgentRssBench
{
    private const string AgentDeviceId = "rss-0001";

    public static async Task<int> RunAsync(string[] args)
    {
        var agent = Option(args, "--agent", DefaultAgent());
        var warmup = double.Parse(Option(args, "--warmup", "10"), CultureInfo.InvariantCulture);
        var seconds = double.Parse(Option(args, "--seconds", "20"), CultureInfo.InvariantCulture);
        var output = Option(args, "--out", "artifacts/bench/agent-rss.json");
        var unit = Option(args, "--unit", FaultAgent.ShippedUnit);
        if (!File.Exists(agent))
        {
            await
                Console.Error.WriteLineAsync($"error: agent executable '{agent}' not found; build it (dotnet build "
                    + "agent/Edge.Agent -c Release) or pass --agent.");
            return 2;
        }

        var folder = Directory.CreateTempSubdirectory("edge-agent-rss-").FullName;
        try
        {
            var environment = await PrepareAsync(agent, folder);
            var watched = Directory.CreateDirectory(Path.Combine(folder, "watch")).FullName;
            environment["EDGE_INFERENCE__WATCHDIRECTORY"] = watched;
            environment["EDGE_INFERENCE__STABLEMILLISECONDS"] = "50";
            var rows = await File.ReadAllLinesAsync(Path.Combine(folder, "calibration.csv"));
            var examples = new StringBuilder();
            foreach (var row in rows.Skip(1))
            {
                examples.AppendLine(row[(row.IndexOf(',', StringComparison.Ordinal) + 1)..]);
            }

            var start = new ProcessStartInfo(agent, ["run"]) { RedirectStandardError = true,
                RedirectStandardOutput = true };
            foreach (var (key, value) in environment)
            {
                start.Environment[key] = value;
            }

            var runtimeSettings = FaultAgent.UnitRuntimeSettings(unit);
            foreach (var (key, value) in runtimeSettings)
            {
                start.Environment[key] = value;
            }

            using var process = Process.Start(start)!;
            _ = process.StandardError.ReadToEndAsync();
            _ = process.StandardOutput.ReadToEndAsync();
            var samples = new List<long>();
            var files = 0;
            var clock = Stopwatch.StartNew();
            var nextFile = TimeSpan.FromSeconds(2);
            while (clock.Elapsed.TotalSeconds < warmup + seconds)
            {
                if (process.HasExited)
                {
                    await Console.Error.WriteLineAsync($"error: edge-agent run exited with code {process.ExitCode}.");
                    return 1;
                }

                if (clock.Elapsed >= nextFile)
                {
                    var hidden = Path.Combine(watched, $".f{files}.csv");
                    await File.WriteAllTextAsync(hidden, examples.ToString());
                    File.Move(hidden, Path.Combine(watched, $"f{files}.csv"));
                    files++;
                    nextFile += TimeSpan.FromMilliseconds(200);
                }

                if (clock.Elapsed.TotalSeconds >= warmup)
                {
                    samples.Add(Status(process.Id, "VmRSS"));
                }

                await Task.Delay(100);
            }

            var peak = Status(process.Id, "VmHWM");
            var rollup = Rollup(process.Id);
            process.Kill();
            await process.WaitForExitAsync();
            var processed = Directory.Exists(Path.Combine(watched, "processed"))
                ? Directory.GetFiles(Path.Combine(watched, "processed"), "*.result.tsv").Length : 0;
            samples.Sort();
            double Mb(long kb) => Math.Round(kb / 1024.0, 1);
            var result = new JsonObject
            {
                ["agent"] = agent,
                ["runtime_environment"] = string.Join(' ', runtimeSettings.Select(p => $"{p.Key}={p.Value}")),
                ["warmup_s"] = warmup,
                ["sampled_s"] = seconds,
                ["files_classified"] = processed,
                ["inferences"] = processed * (rows.Length - 1),
                ["rss_min_mb"] = Mb(samples[0]),
                ["rss_median_mb"] = Mb(samples[samples.Count / 2]),
                ["rss_max_mb"] = Mb(samples[^1]),
                ["rss_peak_mb"] = Mb(peak),
                ["uss_mb"] = Mb(rollup["Private_Clean"] + rollup["Private_Dirty"]),
                ["private_dirty_mb"] = Mb(rollup["Private_Dirty"]),
                ["pss_mb"] = Mb(rollup["Pss"]),
                ["shared_clean_mb"] = Mb(rollup["Shared_Clean"]),
                ["machine"] =
                    $"{Environment.ProcessorCount} cores, "
                        + $"{System.Runtime.InteropServices.RuntimeInformation.OSDescription}, load average "
                            + $"{File.ReadAllText("/proc/loadavg").Split(' ')[0]}",
            };
            Console.WriteLine("| files (49 examples each) | RSS min MB | RSS median MB | RSS max MB | peak (VmHWM) MB "
                + "| USS MB | private dirty MB | PSS MB | shared clean MB |");
            Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
            Console.WriteLine($"| {processed} | {result["rss_min_mb"]} | {result["rss_median_mb"]} | "
                + $"{result["rss_max_mb"]} | {result["rss_peak_mb"]} | {result["uss_mb"]} | "
                    + $"{result["private_dirty_mb"]} | {result["pss_mb"]} | {result["shared_clean_mb"]} |");
            BenchJson.Write(result, output);
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Trains (ideal gradients, 30 epochs) and installs a vowel model; returns the agent's
    /// environment.</summary>
    internal static async Task<Dictionary<string, string>> PrepareAsync(string agent, string folder)
    {
        var task = VowelDataset.Load();
        var system = PhysicalSystems.Get("electronic");
        var device = system.CreateDevice("rss-0001", seed: 5);
        var twinData = await TwinData.CollectAsync(device,
            new TwinDataOptions { Samples = 1_200, NoiseFloorSamples = 100 }, seed: 17);
        var twin = MlpTwinFitter.Fit(twinData, new MlpTwinOptions { Epochs = 4, Hidden = [32, 32] }, seed: 23).Twin;
        var model = PnnArchitectures.ForSystem(system.Name, device, task.Train.FeatureCount, task.ClassCount,
            maxBatch: 64, seed: 0);
        await PnnTrainer.TrainAsync(model, task, TrainingMode.Ideal, twin, twinData,
            new TrainingOptions { Epochs = 30, EvaluationPasses = 1, CurveEvery = 0, LearningRate = 0.02 }, seed: 0);
        var labels = new string[task.Test.Count];
        for (var i = 0; i < labels.Length; i++)
        {
            labels[i] = task.ClassNames[task.Test.Labels[i]];
        }

        var calibration = CalibrationSet.Format(labels, task.Test.Features, task.Test.FeatureCount);
        await File.WriteAllBytesAsync(Path.Combine(folder, "calibration.csv"), calibration);
        using var key = PackageSigning.CreateKey();
        await File.WriteAllTextAsync(Path.Combine(folder, "trainer.pub.pem"), key.ExportSubjectPublicKeyInfoPem());
        await using (var package = File.Create(Path.Combine(folder, "model.edgepkg")))
        {
            ModelPackager.Write(package, model, twin,
                new PackageMetadata(1, "vowels", task.ClassNames, calibration,
                    "agent-rss-bench") { Targets = new([AgentDeviceId]) }, key);
        }

        var environment = new Dictionary<string, string>
        {
            ["EDGE_DEVICE__SYSTEM"] = system.Name,
            ["EDGE_DEVICE__DEVICEID"] = AgentDeviceId,
            ["EDGE_MODELS__STOREDIRECTORY"] = Path.Combine(folder, "store"),
            ["EDGE_MODELS__PUBLICKEYPATH"] = Path.Combine(folder, "trainer.pub.pem"),
            ["EDGE_MODELS__CALIBRATIONSETPATH"] = Path.Combine(folder, "calibration.csv"),
            ["EDGE_LOGGING__LOGLEVEL__DEFAULT"] = "Warning",
        };
        var install = new ProcessStartInfo(agent,
            ["models", "install", Path.Combine(folder, "model.edgepkg")]) { RedirectStandardOutput = true,
                RedirectStandardError = true };
        foreach (var (name, value) in environment)
        {
            install.Environment[name] = value;
        }

        using var installer = Process.Start(install)!;
        var said = await installer.StandardOutput.ReadToEndAsync() + await installer.StandardError.ReadToEndAsync();
        await installer.WaitForExitAsync();
        return installer.ExitCode == 0 ? environment
            : throw new InvalidOperationException($"edge-agent models install failed: {said}");
    }

    internal static string DefaultAgent()
        => Path.Combine(DataPaths.FindRepositoryRoot() ?? Directory.GetCurrentDirectory(), "agent", "Edge.Agent", "bin",
            "Release", "net10.0", "edge-agent");

    internal static long Status(int pid, string field)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(field.Length + 1).Trim().TrimEnd("kB").Trim(),
                    CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidDataException($"/proc/{pid}/status has no {field}.");
    }

    private static Dictionary<string, long> Rollup(int pid)
    {
        var values = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines($"/proc/{pid}/smaps_rollup"))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line.EndsWith(" kB", StringComparison.Ordinal))
            {
                values[line[..colon]] = long.Parse(line.AsSpan(colon + 1, line.Length - colon - 4).Trim(),
                    CultureInfo.InvariantCulture);
            }
        }

        return values;
    }

    internal static string Option(string[] args, string name, string fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
    }
}
