using System.Text.Json.Nodes;

namespace Edge.Trainer.Tests.Reporting;

/// <summary>A temporary repository layout with small bench JSON files, as the bench commands write them.</summary>
internal sealed class BenchFixture : IDisposable
{
    private readonly DirectoryInfo root = Directory.CreateTempSubdirectory("edge-report-");

    public BenchFixture()
    {
        Directory.CreateDirectory(Data);
        Directory.CreateDirectory(Path.Combine(Root, "docs"));
        File.WriteAllText(Notes, "Intro written by hand.\n");
        File.WriteAllText(Readme,
            "# Edge\n\n## Results\n\n<!-- bench:begin -->\nold table\n<!-- bench:end -->\n\n## More\n");
    }

    public string Root => root.FullName;

    public string Data => Path.Combine(Root, "bench");

    public string Notes => Path.Combine(Root, "docs", "benchmarks-notes.md");

    public string Report => Path.Combine(Root, "docs", "benchmarks.md");

    public string Images => Path.Combine(Root, "docs", "img");

    public string Readme => Path.Combine(Root, "README.md");

    public static JsonObject Run(string profile = "full", string? source = null) => new()
    {
        ["project"] = "host-trainer/Edge.Trainer",
        ["arguments"] = new JsonArray("bench", "pat", "--task", "vowels", "--out", "artifacts/bench/x y.json"),
        ["timestamp_utc"] = "2026-11-25T06:51:07Z",
        ["profile"] = profile,
        ["source"] = source,
        ["machine"] = new JsonObject
        {
            ["cpu"] = "AMD EPYC 7B13",
            ["cores"] = 2,
            ["os"] = "Debian GNU/Linux 12 (bookworm) (x64)",
            ["dotnet"] = ".NET 10.0.12",
            ["load_average"] = new JsonArray(14.53, 9.65, 7.35),
        },
    };

    /// <summary>Writes a bench pat result and its details: <paramref name="modes"/> maps mode → per-seed
    /// accuracies.</summary>
    public void WriteAccuracy(string name, string task, string system, IReadOnlyDictionary<string, double[]> modes,
        JsonObject? run = null, bool details = true, JsonObject? network = null)
    {
        var seeds = modes.Values.First().Length;
        var modeJson = new JsonObject();
        var runs = new JsonArray();
        foreach (var (mode, perSeed) in modes)
        {
            modeJson[mode] = new JsonObject { ["mean"] = perSeed.Average(),
                ["per_seed"] = new JsonArray([.. perSeed.Select(a => (JsonNode?)a)]) };
            for (var seed = 0; seed < seeds; seed++)
            {
                runs.Add(new JsonObject
                {
                    ["mode"] = mode,
                    ["seed"] = seed,
                    ["test_accuracy"] = perSeed[seed],
                    ["twin_predicted_accuracy"] = 0.5,
                    ["device_drives"] = 1000,
                    ["wall_seconds"] = 2.0,
                    ["curve"] = new JsonArray(),
                });
            }
        }

        var json = new JsonObject
        {
            ["task"] = task,
            ["system"] = system,
            ["seeds"] = seeds,
            ["epochs"] = 100,
            ["modes"] = modeJson,
            ["twin_predicted_insilico"] = modes.ContainsKey("insilico") ? 0.946 : null,
            ["twin_val_nmse"] = 0.043,
            ["noise_floor_nmse"] = 0.039,
            ["device_passes"] = 418816,
            ["wall_seconds"] = 40.2,
            ["run"] = run ?? Run(),
        };
        foreach (var (key, value) in network ?? [])
        {
            json[key] = value?.DeepClone();
        }

        Write(name + ".json", json);
        if (details)
        {
            Write(name + ".details.json",
                new JsonObject { ["twin"] = "MLP 24-256-12", ["twin_data_drives"] = 22000, ["twin_fit_seconds"] = 10.1,
                    ["threads"] = 2, ["runs"] = runs });
        }
    }

    public void Write(string name, JsonNode json) => File.WriteAllText(Path.Combine(Data, name), json.ToJsonString());

    public void WriteText(string name, string text) => File.WriteAllText(Path.Combine(Data, name), text);

    public Edge.Trainer.Reporting.Report.ReportOptions Options(string? plots = null) => new()
    {
        DataFolder = Data,
        DataFolderDisplay = "bench",
        OutputPath = Report,
        NotesPath = Notes,
        ImageFolder = Images,
        ReadmePath = Readme,
        PlotsFolder = plots,
    };

    public void Dispose() => root.Delete(recursive: true);
}
