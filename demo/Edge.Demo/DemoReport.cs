using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Domain.IO;
using Edge.Trainer.Live.Updates;
using Edge.Trainer.Reporting;
using Spectre.Console;

namespace Edge.Demo;

/// <summary>The demo's summary: a table on the console and <c>report.md</c> with the plots beside it.</summary>
internal static class DemoReport
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static void Print(DemoResult result)
    {
        var table = new Table().Title("[bold]Edge demo summary[/]").AddColumns("step", "result");
        foreach (var (step, value) in Rows(result))
        {
            table.AddRow(Markup.Escape(step), Markup.Escape(value));
        }

        AnsiConsole.Write(table);
        var fleet = new Table().Title("[bold]Fleet: test-set accuracy through each agent's own device[/]")
            .AddColumns("agent", "in-silico", "PAT", "v1 verdict", "before warm-up", "after warm-up",
                "after field update", "serving");
        foreach (var agent in Agents(result))
        {
            fleet.AddRow(agent.Select(Markup.Escape).ToArray());
        }

        AnsiConsole.Write(fleet);
    }

    /// <summary>Writes <c>report.md</c> with its plots and <c>result.json</c> (flat figures for the benchmark report);
    /// returns the report's path.</summary>
    public static string Write(DemoResult result)
    {
        WriteJson(result, Path.Combine(result.Settings.Output, "result.json"));
        var r = result;
        var plots = DemoPlots.WriteAll(result, Path.Combine(result.Settings.Output, "plots"));
        var text = new StringBuilder();
        text.Append(Invariant,
            $"# Edge demo\n\n{result.Settings.Agents} simulated `{result.Settings.System}` agents on "
                + $"{result.BrokerDescription}; ");
        text.Append(Invariant, $"{Environment.ProcessorCount} cores, {result.TotalSeconds:F0} s in all.\n\n");
        text.Append("| step | result |\n|---|---|\n");
        foreach (var (step, value) in Rows(result))
        {
            text.Append(Invariant, $"| {step} | {value} |\n");
        }

        text.Append("\n## Fleet\n\nTest-set accuracy through each agent's own device: the in-silico model (trained on "
            + "the reference agent's twin), ");
        text.Append("the agent's own PAT model as the trainer measured it, and the agents' own classifications of the "
            + "test set once per traffic round.\n\n");
        text.Append("| agent | in-silico | PAT | v1 verdict | before warm-up | after warm-up | after field update | "
            + "serving |\n|---|---|---|---|---|---|---|---|\n");
        foreach (var agent in Agents(result))
        {
            text.Append('|').AppendJoin('|',
                agent.Select(v => $" {v.Replace("|", "/", StringComparison.Ordinal)} ")).Append("|\n");
        }

        if (result.Updates.Count > 0)
        {
            text.Append("\n## Field updates\n\n| device | trigger | drift rise | twin refit NMSE | accuracy before | "
                + "after PAT | version | verdict | drives | s |\n|---|---|---|---|---|---|---|---|---|---|\n");
            foreach (var u in result.Updates)
            {
                text.Append(Invariant,
                    $"| {u.DeviceId} | {FieldPatSession.Name(u.Reason)} | +{u.DriftRise:P0} | {u.TwinNmse:F3} | "
                        + $"{u.AccuracyBefore:P1} | {u.AccuracyAfter:P1} | v{u.Version} | "
                            + $"{(u.Accepted ? "accepted" : "refused")}: {u.Verdict} | {u.DrivesSent:N0} | "
                                + $"{u.Seconds:F1} |\n");
            }
        }

        text.Append("\n## Drift watch\n\nTwin residual (NMSE) of each agent's newest sampled traffic after each round, "
            + "against its level just after training.\n\n| round |");
        var devices = r.Drift.Select(d => d.DeviceId).Distinct().Order(StringComparer.Ordinal).ToList();
        text.AppendJoin(" |",
            devices.Select(d => " " + d)).Append(" |\n|---|").Append(string.Concat(devices.Select(_ => "---|")))
                .Append('\n');
        foreach (var round in r.Drift.Select(d => d.Round).Distinct().Order())
        {
            text.Append(Invariant, $"| {round} |");
            foreach (var device in devices)
            {
                var score = r.Drift.LastOrDefault(d => d.Round == round && d.DeviceId == device);
                text.Append(score.DeviceId is null ? " — |"
                    : string.Create(Invariant, $" {score.Nmse:F4} (baseline {score.Baseline:F4}) |"));
            }

            text.Append('\n');
        }

        text.Append('\n');
        foreach (var plot in plots)
        {
            text.Append(Invariant, $"![{Path.GetFileNameWithoutExtension(plot)}](plots/{Path.GetFileName(plot)})\n");
        }

        var path = Path.Combine(result.Settings.Output, "report.md");
        AtomicFile.WriteAllText(path, text.ToString());
        return path;
    }

    private static void WriteJson(DemoResult r, string path)
    {
        var update = r.Updates.FirstOrDefault();
        var json = new JsonObject
        {
            ["demo_seconds"] = Math.Round(r.TotalSeconds, 1),
            ["agents"] = r.Settings.Agents,
            ["system"] = r.Settings.System,
            ["broker"] = r.Settings.Broker ?? "in-process",
            ["twin_nmse"] = Math.Round(r.TwinNmse, 4),
            ["noise_floor_nmse"] = Math.Round(r.NoiseFloorNmse, 4),
            ["insilico_accuracy_min"] = r.Training.Count > 0 ? r.Training.Min(t => t.InSilicoAccuracy) : null,
            ["insilico_accuracy_max"] = r.Training.Count > 0 ? r.Training.Max(t => t.InSilicoAccuracy) : null,
            ["pat_accuracy_min"] = r.Training.Count > 0 ? r.Training.Min(t => t.Pat.TestAccuracy) : null,
            ["pat_accuracy_max"] = r.Training.Count > 0 ? r.Training.Max(t => t.Pat.TestAccuracy) : null,
            ["agents_activated_v1"] = r.Deployment.Count(d => d.Accepted),
            ["drift_kelvin"] = r.Settings.DriftKelvin,
            ["drift_round"] = r.DriftRound,
            ["update_device"] = update?.DeviceId,
            ["update_round"] = update is null ? null
                : r.Traffic.Where(t => t.DeviceId == update.DeviceId && t.Version == update.Version)
                    .Select(t => t.Round).DefaultIfEmpty().Min() - 1,
            ["update_residual_rise"] = update?.DriftRise is { } rise ? Math.Round(rise, 3) : null,
            ["update_accuracy_before"] = update?.AccuracyBefore,
            ["update_accuracy_after"] = update?.AccuracyAfter,
            ["update_accepted"] = update?.Accepted,
            ["update_seconds"] = update is null ? null : Math.Round(update.Seconds, 1),
            ["measurements_ingested"] = r.MeasurementsIngested,
        };
        foreach (var (stage, seconds) in r.StageSeconds)
        {
            json[$"stage_{stage}_seconds"] = Math.Round(seconds, 1);
        }

        json[BenchRunInfo.Key] = BenchRunInfo.DescribeCurrentProcess("demo/Edge.Demo");
        AtomicFile.WriteAllText(path, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    private static IEnumerable<(string Step, string Value)> Rows(DemoResult r)
    {
        yield return ("broker", r.BrokerDescription);
        yield return ("twin of " + (r.Deployment.Count > 0 ? r.Deployment[0].DeviceId : "reference agent"),
            string.Create(Invariant, $"NMSE {r.TwinNmse:F3} (noise floor {r.NoiseFloorNmse:F3})"));
        if (r.InSilico is { } inSilico)
        {
            yield return ("in-silico training (twin only)",
                string.Create(Invariant,
                    $"the twin predicted {inSilico.TwinPredictedAccuracy:P1}; through the agents' devices "
                        + $"{Range(r.Training.Select(t => t.InSilicoAccuracy))}"));
        }

        if (r.Training.Count > 0)
        {
            yield return ("PAT over MQTT, per agent",
                string.Create(Invariant,
                    $"device test accuracy {Range(r.Training.Select(t => t.Pat.TestAccuracy))}, "
                        + $"{r.Training.Sum(t => t.Pat.DrivesSent):N0} drives, "
                            + $"{r.Training.Sum(t => t.Pat.WallSeconds):F0} s"));
        }

        var accepted = r.Deployment.Count(d => d.Accepted);
        yield return ("publish v1 (signed)",
            string.Create(Invariant, $"{accepted} of {r.Deployment.Count} agents validated and activated it"));
        if (r.DriftingAgent is { } drifting)
        {
            yield return ("drift",
                string.Create(Invariant,
                    $"{drifting} warmed by {r.Settings.DriftKelvin:F0} K at round {r.DriftRound}"));
        }

        var update = r.Updates.FirstOrDefault();
        yield return ("field re-training", update is null
            ? "none triggered"
            : string.Create(Invariant,
                $"{update.DeviceId}: {FieldPatSession.Name(update.Reason)} (twin residual +{update.DriftRise:P0}), PAT "
                    + $"through its device {update.AccuracyBefore:P1} → {update.AccuracyAfter:P1}, v{update.Version} "
                        + $"{(update.Accepted ? "accepted" : "refused")}"));
        yield return ("measurements ingested", r.MeasurementsIngested.ToString("N0", Invariant));
        yield return ("stage times",
            string.Join(", ", r.StageSeconds.Select(s => string.Create(Invariant, $"{s.Key} {s.Value:F0} s"))));
    }

    private static string Range(IEnumerable<double> values)
    {
        var list = values.ToList();
        return list.Count == 0 ? "—" : list.Count == 1 ? string.Create(Invariant, $"{list[0]:P1}")
            : string.Create(Invariant, $"{list.Min():P1}–{list.Max():P1}");
    }

    private static IEnumerable<string[]> Agents(DemoResult r)
    {
        var drift = r.DriftRound ?? int.MaxValue;
        var update = r.Updates.FirstOrDefault(u => u.Accepted);
        foreach (var (device, accepted, reason) in r.Deployment)
        {
            var rounds = r.Traffic.Where(t => t.DeviceId == device).OrderBy(t => t.Round).ToList();
            var before = Mean(rounds.Where(t => t.Round < drift));
            var updatedRound = update?.DeviceId == device
                ? rounds.FirstOrDefault(t => t.Version == update.Version)?.Round : null;
            var drifted = Mean(rounds.Where(t => t.Round >= drift && (updatedRound is null || t.Round < updatedRound)));
            var after = updatedRound is { } u ? Mean(rounds.Where(t => t.Round >= u)) : "—";
            var serving = rounds.Count > 0 ? "v" + rounds[^1].Version.ToString(Invariant) : "—";
            var training = r.Training.FirstOrDefault(t => t.DeviceId == device);
            var inSilico = training is null ? "—" : string.Create(Invariant, $"{training.InSilicoAccuracy:P1}");
            var pat = training is null ? "—" : string.Create(Invariant, $"{training.Pat.TestAccuracy:P1}");
            yield return [device + (device == r.DriftingAgent ? " (warmed)" : ""), inSilico, pat,
                accepted ? "activated" : "refused: " + reason, before, drifted, after, serving];
        }
    }

    private static string Mean(IEnumerable<TrafficRound> rounds)
    {
        var list = rounds.ToList();
        return list.Count == 0 ? "—"
            : string.Create(Invariant, $"{list.Average(t => t.Accuracy):P1} ({list.Count} rounds)");
    }
}
