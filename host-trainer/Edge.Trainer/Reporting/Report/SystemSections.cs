using System.Text;

namespace Edge.Trainer.Reporting.Report;

/// <summary>The agent and link part of the report: inference latency, ingest, bridge, RSS, BenchmarkDotNet, other
/// files.</summary>
internal static class SystemSections
{
    public static void AppendLatency(StringBuilder text, ReportContext context)
    {
        text.AppendLine("## Agent inference latency").AppendLine();
        if (context.Data.Latency.Count == 0)
        {
            text.AppendLine($"No inference-latency result in `{context.DataFolder}`.").AppendLine();
        }

        foreach (var result in context.Data.Latency)
        {
            text.AppendLine(context.Provenance(result.Run, result.File)).AppendLine();
            ReportContext.AppendCommand(text, result.Run);
            text.AppendLine("| inferences | p50 | p99 | p99.9 | max | managed bytes / inference "
                + "|\n|---|---|---|---|---|---|");
            text.AppendLine($"| {ReportFormat.Count(result.Inferences)}{ReportFormat.Tag(result.Run)} | "
                + $"{Micro(result.P50Microseconds)} | **{Micro(result.P99Microseconds)}** | "
                    + $"{Micro(result.P999Microseconds)} | {Micro(result.MaxMicroseconds)} | "
                        + $"{ReportFormat.Fixed(result.AllocatedBytesPerInference, 1)} |").AppendLine();
            context.AppendNote(text, AccuracySections.Key(result.File));
        }
    }

    public static void AppendIngest(StringBuilder text, ReportContext context)
    {
        text.AppendLine("## MQTT measurement ingest").AppendLine();
        if (context.Data.Ingest.Count == 0)
        {
            text.AppendLine($"No ingest result in `{context.DataFolder}`.").AppendLine();
        }

        foreach (var r in context.Data.Ingest)
        {
            text.AppendLine(context.Provenance(r.Run, r.File)).AppendLine();
            ReportContext.AppendCommand(text, r.Run);
            text.AppendLine("| path | items | seconds | items/s | MB/s | lost | duplicates "
                + "|\n|---|---|---|---|---|---|---|");
            text.AppendLine($"| edge: recorder → SQLite outbox → mosquitto → ingest → SQLite store (batches of "
                + $"{r.BatchSize}){ReportFormat.Tag(r.Run)} | {ReportFormat.Count(r.Measurements)} measurements | "
                    + $"{ReportFormat.Fixed(r.EdgeSeconds, 2)} | **{ReportFormat.Count(r.EdgeRate)}** | "
                        + $"{ReportFormat.Fixed(r.EdgeRate * r.RecordBytes / 1e6, 1)} | {r.Lost} | {r.Duplicates} |");
            text.AppendLine($"| raw: mosquitto_pub -l → mosquitto_sub, QoS 1, {r.RecordBytes}-byte messages | "
                + $"{ReportFormat.Count(r.RawMessages)} messages | {ReportFormat.Fixed(r.RawSeconds, 2)} | "
                    + $"{ReportFormat.Count(r.RawRate)} | {ReportFormat.Fixed(r.RawRate * r.RecordBytes / 1e6, 1)} | "
                        + $"{r.RawMessages - r.RawReceived} | {ReportFormat.None} |").AppendLine();
            context.AppendNote(text, AccuracySections.Key(r.File));
        }
    }

    public static void AppendBridge(StringBuilder text, ReportContext context)
    {
        text.AppendLine("## ESP32 bridge link efficiency").AppendLine();
        if (context.Data.Bridge.Count == 0)
        {
            text.AppendLine($"No bridge result in `{context.DataFolder}`.").AppendLine();
        }

        foreach (var result in context.Data.Bridge)
        {
            text.AppendLine(context.Provenance(result.Run, result.File)).AppendLine();
            ReportContext.AppendCommand(text, result.Run);
            text.AppendLine($"{result.Drives} electronic-layer drives per configuration.").AppendLine();
            text.AppendLine("| baud | byte loss | request payload | retry limit | drives/request | rest segments "
                + "| waveform payload ÷ line "
                + "| drive data ÷ line | forwards/s | retransmissions | max error vs noise-free part |\n"
                + "|---|---|---|---|---|---|---|---|---|---|---|");
            foreach (var row in result.Rows)
            {
                var error = row.Failure is { } failure ? $"**did not complete**: {failure}"
                    : row.MaxErrorLsb is { } lsb ? $"{ReportFormat.Fixed(lsb, 2)} LSB"
                    : ReportFormat.None;
                text.AppendLine(
                    $"| {ReportFormat.Count(row.Baud)}{ReportFormat.Tag(result.Run)} "
                    + $"| {ReportFormat.Percent(row.LossRate)} "
                    + $"| {(row.MaxPayload is { } payload ? ReportFormat.Count(payload) : ReportFormat.None)} "
                    + $"| {(row.RetryLimit is { } retries ? ReportFormat.Count(retries) : ReportFormat.None)} "
                    + $"| {row.DrivesPerRequest} | {row.RestSegments} "
                    + $"| **{ReportFormat.Percent(row.WaveformEfficiency)}** "
                    + $"| {ReportFormat.Percent(row.DriveEfficiency)} | {ReportFormat.Count(row.ForwardsPerSecond)} "
                    + $"| {row.Retransmissions} | {error} |");
            }

            text.AppendLine();
            context.AppendNote(text, AccuracySections.Key(result.File));
        }
    }

    public static void AppendFuzz(StringBuilder text, ReportContext context)
    {
        if (context.Data.Fuzz.Count == 0)
        {
            return;
        }

        text.AppendLine("## Hostile input: decoder fuzzing").AppendLine();
        text.AppendLine($"Generator: {context.Data.Fuzz[0].Generator}. A crash is any exception but the decoder's "
            + "documented refusal; a hang is an input slower than 1 s every time it runs, a stall one that was slow "
                + "once only.").AppendLine();
        text.AppendLine("| decoder | inputs | accepted | refused | refusal classes | crashes | hangs | stalls | "
            + "slowest input | measured |\n|---|---|---|---|---|---|---|---|---|---|");
        foreach (var result in context.Data.Fuzz)
        {
            foreach (var row in result.Rows)
            {
                text.AppendLine($"| {row.Decoder}{ReportFormat.Tag(result.Run)} | {ReportFormat.Count(row.Inputs)} | "
                    + $"{ReportFormat.Count(row.Accepted)} | {ReportFormat.Count(row.Refused)} | {row.RefusalClasses} "
                        + $"| **{row.Crashes}** | **{row.Hangs}** | {row.Stalls} | "
                            + $"{ReportFormat.Fixed(row.SlowestMs, 1)} ms | {context.Measured(result.Run)} |");
            }
        }

        text.AppendLine();
        text.AppendLine($"Data: {string.Join(", "
            + "", context.Data.Fuzz.Select(r => $"`{context.DataFolder}/{r.File}`"))}.").AppendLine();
        // One block for all runs: they usually differ only in --decoder.
        var commands = context.Data.Fuzz.Select(r => r.Run?.Command ?? $"# {r.File}: command not recorded").Distinct();
        text.AppendLine($"```bash\n{string.Join('\n', commands)}\n```").AppendLine();
        context.AppendNote(text, "fuzz");
    }

    public static void AppendRss(StringBuilder text, ReportContext context)
    {
        text.AppendLine("## Agent memory (peak RSS)").AppendLine();
        foreach (var result in context.Data.Rss)
        {
            text.AppendLine(context.Provenance(result.Run, result.File)).AppendLine();
            ReportContext.AppendCommand(text, result.Run);
            if (result.Workload is not null)
            {
                text.AppendLine($"Workload: {result.Workload}.").AppendLine();
            }

            text.AppendLine("| what | resident memory |\n|---|---|");
            foreach (var row in result.Rows)
            {
                text.AppendLine($"| {row.What}{ReportFormat.Tag(result.Run)} | "
                    + $"**{ReportFormat.Fixed(row.Megabytes, 1)} MB** |");
            }

            text.AppendLine();
            context.AppendNote(text, AccuracySections.Key(result.File));
        }

        // Until a dedicated RSS bench exists, the inference-latency JSON's memory keys are the figure.
        foreach (var result in context.Data.Latency.Where(r => r.Memory.Count > 0))
        {
            text.AppendLine($"From the inference-latency run (`{context.DataFolder}/{result.File}`):").AppendLine();
            text.AppendLine("| key | value |\n|---|---|");
            foreach (var (key, value) in result.Memory)
            {
                var shown = key.EndsWith("bytes", StringComparison.OrdinalIgnoreCase)
                    ? ReportFormat.Megabytes(value)
                    : ReportFormat.Fixed(value, 1);
                text.AppendLine($"| {key} | {shown} |");
            }

            text.AppendLine();
        }

        if (context.Data.Rss.Count == 0 && !context.Data.Latency.Exists(r => r.Memory.Count > 0))
        {
            text.AppendLine($"No agent RSS result in `{context.DataFolder}` (neither an agent-rss JSON nor RSS keys in "
                + "the inference-latency JSON).").AppendLine();
        }
    }

    public static void AppendBenchmarkDotNet(StringBuilder text, ReportContext context)
    {
        text.AppendLine("## Simulation and numeric kernels (BenchmarkDotNet)").AppendLine();
        if (context.Data.BenchmarkDotNet.Count == 0)
        {
            text.AppendLine($"No BenchmarkDotNet export in `{context.DataFolder}`.").AppendLine();
        }
        else
        {
            text.AppendLine("| benchmark | parameters | mean | allocated / op | measured |\n|---|---|---|---|---|");
            foreach (var result in context.Data.BenchmarkDotNet)
            {
                foreach (var row in result.Rows)
                {
                    text.AppendLine($"| {row.Type}.{row.Method}{ReportFormat.Tag(result.Run)} | "
                        + $"{(row.Parameters.Length > 0 ? row.Parameters : ReportFormat.None)} | "
                            + $"{ReportFormat.Nanoseconds(row.MeanNanoseconds)} | "
                                + $"{ReportFormat.Bytes(row.AllocatedBytes)} | {context.Measured(result.Run)} |");
                }
            }

            text.AppendLine();
            var commands = context.Data.BenchmarkDotNet.Select(r => r.Run.Command).Distinct().ToList();
            text.AppendLine($"Data: {string.Join(", "
                + "", context.Data.BenchmarkDotNet.Select(r => $"`{context.DataFolder}/{r.File}`"))}.").AppendLine();
            foreach (var command in commands)
            {
                ReportContext.AppendCommand(text,
                    command is null ? null : new RunInfo(command, null, null, null, null, null));
            }
        }

        context.AppendNote(text, "benchmarkdotnet");
    }

    public static void AppendOther(StringBuilder text, ReportContext context)
    {
        if (context.Data.Other.Count == 0)
        {
            return;
        }

        text.AppendLine("## Other results").AppendLine();
        text.AppendLine("Files whose shape the report does not know yet, shown as their top-level values.")
            .AppendLine();
        foreach (var result in context.Data.Other)
        {
            text.AppendLine($"### {result.File}").AppendLine();
            text.AppendLine(context.Provenance(result.Run, result.File)).AppendLine();
            ReportContext.AppendCommand(text, result.Run);
            text.AppendLine("| key | value |\n|---|---|");
            foreach (var (key, value) in result.Values)
            {
                text.AppendLine($"| {key} | {value.Replace("|", "\\|", StringComparison.Ordinal)} |");
            }

            text.AppendLine();
            context.AppendNote(text, AccuracySections.Key(result.File));
        }
    }

    private static string Micro(double value) => $"{ReportFormat.Fixed(value, 1)} µs";
}
