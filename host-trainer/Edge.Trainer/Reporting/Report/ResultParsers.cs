using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Domain.Simulation.Field;

namespace Edge.Trainer.Reporting.Report;

/// <summary>One parser per kind of bench JSON; each reads the keys its bench command writes.</summary>
internal static class ResultParsers
{
    public static AccuracyResult Accuracy(string file, JsonObject json, JsonFields fields, AccuracyDetails details,
        RunInfo? run)
    {
        var seeds = (int)fields.Integer(json, "seeds");
        var modes = new List<ModeAccuracy>();
        foreach (var (name, node) in fields.Object(json, "modes"))
        {
            var mode = node as JsonObject ?? throw fields.Bad($"modes.{name}", "is not a JSON object");
            var perSeed = fields.Array(mode,
                "per_seed").Select(v => fields.Fraction(v, $"modes.{name}.per_seed")).ToList();
            if (perSeed.Count != seeds)
            {
                throw fields.Bad($"modes.{name}.per_seed", $"has {perSeed.Count} values for {seeds} seed(s)");
            }

            modes.Add(new ModeAccuracy(name, fields.Fraction(JsonFields.Find(mode, "mean"), $"modes.{name}.mean"),
                perSeed));
        }

        if (modes.Count == 0)
        {
            throw fields.Bad("modes", "names no mode");
        }

        var task = fields.String(json, "task");
        return new AccuracyResult(
            file,
            task,
            fields.String(json, "system"),
            Network(json, fields, task),
            seeds,
            (int)fields.Integer(json, "epochs"),
            modes,
            JsonFields.Find(json, "twin_predicted_insilico") is { } predicted
                ? fields.Fraction(predicted, "twin_predicted_insilico") : null,
            fields.NullableNumber(json, "twin_val_nmse"),
            fields.NullableNumber(json, "noise_floor_nmse"),
            fields.NullableInteger(json, "device_passes"),
            fields.NullableNumber(json, "wall_seconds"),
            details,
            run)
        {
            Profile = fields.OptionalString(json, "profile") is { } profile
                ? Parse(() => DeviceProfiles.Parse(profile), fields, "profile")
                : DeviceProfile.Lab,
        };
    }

    private static T Parse<T>(Func<T> parse, JsonFields fields, string key)
    {
        try
        {
            return parse();
        }
        catch (ArgumentException e)
        {
            throw fields.Bad(key, e.Message);
        }
    }

    // The network in a few words, from the keys bench pat writes; files from before the architecture key trained the
    // standard network.
    private static string Network(JsonObject json, JsonFields fields, string task)
    {
        var architecture = fields.OptionalString(json, "architecture") ?? "standard";
        var width = fields.OptionalInteger(json, "width");
        var layers = fields.OptionalInteger(json, "layers");
        var scans = fields.OptionalInteger(json, "scans");
        var text = new System.Text.StringBuilder(architecture switch
        {
            "wide" => width is { } w ? $"wide ×{w}" : "wide",
            "pixel-drive" => scans is > 1 ? $"pixel drive, {scans} scans" : "pixel drive",
            _ => architecture,
        });
        if (layers is { } l)
        {
            text.Append(l == 1 ? ", 1 layer" : $", {l} layers");
        }

        if (task.StartsWith("fsdd", StringComparison.Ordinal))
        {
            text.Append(fields.OptionalString(json, "features") switch
            {
                "speaker" => ", speaker-normalised",
                "normalised" => ", CMN + deltas",
                _ => string.Empty,
            });
            if (fields.OptionalInteger(json, "cepstra") is { } cepstra)
            {
                text.Append($", {cepstra} MFCCs");
            }

            if (fields.OptionalInteger(json, "mel_bands") is { } bands)
            {
                text.Append($", {bands} mel bands");
            }

            if (json["deltas"] is not null)
            {
                text.Append(", deltas");
            }
        }

        text.Append(fields.OptionalString(json, "augment") switch
        {
            "speed" => ", speed-perturbed",
            "voices" => ", + synthetic voices",
            "shift" => ", shifted copies",
            _ => string.Empty,
        });

        if (fields.OptionalInteger(json, "vtlp") is { } vtlp)
        {
            text.Append(vtlp == 1 ? ", + VTLP copy" : $", + {vtlp} VTLP copies");
        }

        if (fields.OptionalInteger(json, "noise_copies") is { } noisy)
        {
            text.Append(noisy == 1 ? ", + room-noise copy" : $", + {noisy} room-noise copies");
        }

        if (fields.OptionalString(json, "schedule") == "cosine")
        {
            text.Append(", cosine LR");
        }

        if (fields.OptionalNumber(json, "input_noise") is > 0 and var noise)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $", input noise σ {noise}");
        }

        return text.ToString();
    }

    public static AccuracyDetails Details(JsonObject json, JsonFields fields)
    {
        var runs = new List<RunDetail>();
        foreach (var node in fields.Array(json, "runs"))
        {
            var run = node as JsonObject ?? throw fields.Bad("runs", "holds something that is not a JSON object");
            runs.Add(new RunDetail(
                fields.String(run, "mode"),
                (int)fields.Integer(run, "seed"),
                fields.Fraction(JsonFields.Find(run, "test_accuracy"), "runs.test_accuracy"),
                JsonFields.Find(run, "twin_predicted_accuracy") is { } predicted
                    ? fields.Fraction(predicted, "runs.twin_predicted_accuracy") : null,
                fields.OptionalInteger(run, "device_drives"),
                fields.OptionalNumber(run, "wall_seconds"),
                fields.OptionalInteger(run, "training_drives"),
                fields.OptionalInteger(run, "training_drives_to_final"),
                fields.OptionalInteger(run, "twin_passes")));
        }

        return new AccuracyDetails(
            fields.OptionalString(json, "twin"),
            fields.OptionalInteger(json, "twin_data_drives"),
            fields.OptionalNumber(json, "twin_fit_seconds"),
            fields.OptionalInteger(json, "threads") is { } threads ? (int)threads : null,
            runs);
    }

    public static LatencyResult Latency(string file, JsonObject json, JsonFields fields, RunInfo? run)
    {
        var memory = new List<KeyValuePair<string, double>>();
        foreach (var (name, node) in json)
        {
            if (name.Contains("rss", StringComparison.OrdinalIgnoreCase) && node is JsonValue value
                && value.GetValueKind() == JsonValueKind.Number)
            {
                memory.Add(new(name, fields.NumberOf(node, name)));
            }
        }

        return new LatencyResult(
            file,
            fields.Integer(json, "inferences"),
            fields.Number(json, "p50_us"),
            fields.Number(json, "p99_us"),
            fields.Number(json, "p999_us"),
            fields.Number(json, "max_us"),
            fields.Number(json, "allocated_bytes_per_inference"),
            memory,
            run);
    }

    public static IngestResult Ingest(string file, JsonObject json, JsonFields fields, RunInfo? run) => new(
        file,
        fields.Integer(json, "measurements"),
        fields.Integer(json, "batch_size"),
        fields.Integer(json, "record_bytes"),
        fields.Number(json, "edge_measurements_per_s"),
        fields.Number(json, "edge_seconds"),
        fields.Integer(json, "edge_lost"),
        fields.Integer(json, "edge_duplicates"),
        fields.Number(json, "raw_messages_per_s"),
        fields.Number(json, "raw_seconds"),
        fields.Integer(json, "raw_messages"),
        fields.Integer(json, "raw_received"),
        run);

    public static BridgeResult Bridge(string file, JsonObject json, JsonFields fields, RunInfo? run)
    {
        var rows = new List<BridgeRow>();
        foreach (var node in fields.Array(json, "rows"))
        {
            var row = node as JsonObject ?? throw fields.Bad("rows", "holds something that is not a JSON object");
            rows.Add(new BridgeRow(
                fields.Integer(row, "baud"),
                fields.Integer(row, "drivesPerRequest"),
                fields.Integer(row, "restSegments"),
                fields.Fraction(JsonFields.Find(row, "waveformEfficiency"), "rows.waveformEfficiency"),
                fields.Fraction(JsonFields.Find(row, "driveEfficiency"), "rows.driveEfficiency"),
                fields.Number(row, "forwardsPerSecond"),
                fields.Integer(row, "retransmissions"),
                fields.OptionalNumber(row, "lossRate") ?? 0,
                fields.OptionalInteger(row, "requestPayload") ?? fields.OptionalInteger(row, "maxPayload"),
                fields.OptionalNumber(row, "maxErrorLsb"),
                fields.OptionalString(row, "failure"),
                fields.OptionalInteger(row, "retryLimit")));
        }

        return new BridgeResult(file, fields.Integer(json, "drives"), rows, run);
    }

    public static FuzzBenchResult Fuzz(string file, JsonObject json, JsonFields fields, RunInfo? run)
    {
        var rows = new List<FuzzRow>();
        foreach (var node in fields.Array(json, "decoders"))
        {
            var row = node as JsonObject ?? throw fields.Bad("decoders", "holds something that is not a JSON object");
            rows.Add(new FuzzRow(
                fields.String(row, "decoder"),
                fields.Integer(row, "inputs"),
                fields.Integer(row, "accepted"),
                fields.Integer(row, "refused"),
                fields.Integer(row, "distinctRefusalClasses"),
                fields.Integer(row, "crashes"),
                fields.Integer(row, "hangs"),
                fields.OptionalInteger(row, "stalls") ?? 0,
                fields.Number(row, "slowestMs"),
                fields.Number(row, "seconds")));
        }

        return new FuzzBenchResult(file, fields.String(json, "generator"), rows, run);
    }

    public static RssResult Rss(string file, JsonObject json, JsonFields fields, RunInfo? run)
    {
        var rows = new List<RssRow>();
        foreach (var node in fields.Array(json, "rows"))
        {
            var row = node as JsonObject ?? throw fields.Bad("rows", "holds something that is not a JSON object");
            rows.Add(new RssRow($"`{fields.String(row, "command")}`", fields.Integer(row, "peak_rss_bytes") / 1e6));
        }

        return new RssResult(file, rows, null, run);
    }

    /// <summary>The agent-rss bench: every <c>*_mb</c> figure, and the workload from its counts.</summary>
    public static RssResult AgentRssBench(string file, JsonObject json, JsonFields fields, RunInfo? run)
    {
        var rows = new List<RssRow>();
        foreach (var (name, node) in json)
        {
            if (name.EndsWith("_mb", StringComparison.Ordinal))
            {
                rows.Add(new RssRow(name[..^"_mb".Length].Replace('_', ' '), fields.NumberOf(node, name)));
            }
        }

        var workload =
            $"`edge-agent run` classifying {ReportFormat.Count(fields.OptionalNumber(json, "files_classified"))} files "
            + $"({ReportFormat.Count(fields.OptionalNumber(json, "inferences"))} inferences), sampled for "
                + $"{ReportFormat.Fixed(fields.OptionalNumber(json, "sampled_s"), 0)} s "
            + $"after {ReportFormat.Fixed(fields.OptionalNumber(json, "warmup_s"), 0)} s of warm-up";
        return new RssResult(file, rows, workload, run);
    }

    public static BenchmarkDotNetResult BenchmarkDotNet(string file, JsonObject json, JsonFields fields,
        RunInfo? stamped)
    {
        var rows = new List<BenchmarkRow>();
        foreach (var node in fields.Array(json, "Benchmarks"))
        {
            var benchmark = node as JsonObject
                ?? throw fields.Bad("Benchmarks", "holds something that is not a JSON object");
            var mean = JsonFields.Find(benchmark, "Statistics") is JsonObject statistics
                ? fields.Number(statistics, "Mean") : (double?)null;
            var allocated = JsonFields.Find(benchmark, "Memory") is JsonObject memory
                ? fields.OptionalInteger(memory, "BytesAllocatedPerOperation") : null;
            // MethodTitle is the benchmark's Description when it has one, which says more than the method name.
            var method = fields.OptionalString(benchmark, "MethodTitle") is { Length: > 0 } title ? title.Trim('\'')
                : fields.String(benchmark, "Method");
            rows.Add(new BenchmarkRow(fields.String(benchmark, "Type"), method,
                fields.OptionalString(benchmark, "Parameters") ?? string.Empty, mean, allocated));
        }

        return new BenchmarkDotNetResult(file, fields.String(json, "Title"), rows,
            RunInfoReader.FromBenchmarkDotNet(json, fields, stamped));
    }

    public static OtherResult Other(string file, JsonObject json, RunInfo? run)
    {
        var values = new List<KeyValuePair<string, string>>();
        foreach (var (name, node) in json)
        {
            if (node is JsonValue value && name != BenchRunInfo.Key)
            {
                values.Add(new(name,
                    value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString()));
            }
        }

        return new OtherResult(file, values, run);
    }
}
