using System.Globalization;
using System.IO.Compression;
using System.Text;
using Edge.Agent.Commands;
using Edge.Agent.Csv;
using Edge.Domain.Data;
using Edge.Domain.Models;
using Edge.Trainer.Bench;
using Edge.Trainer.Export;
using Edge.Trainer.Recipes;
using Edge.Trainer.Training;

namespace Edge.Agent.Tests.Recipes;

/// <summary>
/// What is benchmarked is what ships: a reduced recipe of each task, trained by <see cref="TrainingPipeline"/> as
/// <c>edge-trainer package --recipe</c> trains it, installed on an agent and its test split classified with
/// <c>edge-agent classify</c>, gives the accuracy the pipeline reported.
/// </summary>
public sealed class RecipePackageTests : IDisposable
{
    private const string Part = "sim-0001";

    private readonly TempDirectory _folder = new();

    [Theory]
    [InlineData("vowels", "mfcc")]
    [InlineData("fsdd", "mfcc")]
    [InlineData("fsdd", "device")]
    [InlineData("mnist", "mfcc")]
    public async Task A_packaged_recipe_classifies_its_test_split_through_the_agent_as_the_pipeline_reported(
        string taskName, string features)
    {
        var token = TestContext.Current.CancellationToken;
        var recipePath = _folder.File("recipe.json");
        await File.WriteAllTextAsync(recipePath, TrainingRecipeJson.Serialize(Reduced(taskName, features)), token);
        var recipe = TrainingRecipeJson.Load(recipePath);

        // MNIST is cut to 1,000 images a split: the recipe's network, a smaller data set.
        var task = taskName == "mnist" ? MnistDataset.Load(maxPerSplit: 1_000) : null;
        var pipeline = new TrainingPipeline(recipe, threads: 2, task: task);
        var run = await pipeline.RunAsync(
            new TrainingOptions { CurveEvery = 0, EvaluationPasses = 3 }, cancellationToken: token);
        var test = pipeline.Task.Test;
        Assert.True(
            run.Result.TestAccuracy > 2.0 / pipeline.Task.ClassCount,
            $"the reduced {taskName} recipe reached only {run.Result.TestAccuracy:P1}; a comparison would say little");

        var environment = await InstallAsync(pipeline, run);
        var (classified, correct) = (0, 0);
        foreach (var (inputs, splitRows) in TestInputs(pipeline))
        {
            var (code, output, error) = await AgentRun.InvokeAsync(environment, "classify", inputs);
            Assert.True(code == ExitCodes.Success, error);
            var rows = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
            Assert.Equal(splitRows.Count, rows.Count);
            for (var i = 0; i < rows.Count; i++)
            {
                correct += rows[i].Split('\t')[1] == ExpectedLabel(pipeline, splitRows[i]) ? 1 : 0;
            }

            classified += rows.Count;
        }

        Assert.Equal(test.Count, classified);

        // Both are noisy device passes over the same split, on the same part with different noise draws.
        var agent = (double)correct / test.Count;
        var reported = run.Result.TestAccuracy;
        var tolerance = 0.03 + (3 * Math.Sqrt(reported * (1 - reported) / test.Count));
        Assert.True(
            Math.Abs(agent - reported) <= tolerance,
            $"{taskName}: the agent was right on {agent:P1}, the pipeline reported {reported:P1} (±{tolerance:P1})");
    }

    public void Dispose() => _folder.Dispose();

    private static TrainingRecipe Reduced(string task, string features)
    {
        var recipe = new TrainingRecipe
        {
            Task = task,
            Features = features,
            Part = Part,
            Epochs = 15,
            TwinSamples = 2_000,
            TwinNoiseFloorSamples = 100,
            TwinEpochs = 8,
            TwinHalvingEpochs = 3,
        };
        if (task == "mnist")
        {
            // The shipped MNIST network: a digital input layer into a bank of physical branches.
            recipe = recipe with { Architecture = "wide", Width = 4, Layers = 1, Epochs = 4 };
        }

        return recipe with { FrontEnd = recipe.ResolvedFrontEnd() };
    }

    private async Task<Dictionary<string, string?>> InstallAsync(TrainingPipeline pipeline, PipelineRun run)
    {
        var token = TestContext.Current.CancellationToken;
        using var key = PackageSigning.CreateKey();
        var calibration = TrainingPipeline.CalibrationFromTestSplit(pipeline.Task);
        using var package = new MemoryStream();
        pipeline.WritePackage(
            package, run.Model, run.Twin, 1, new([Part]), calibration, "tests", key, pipeline.AudioInput());
        AssertCarriesRecipe(package.ToArray(), pipeline.Recipe);

        var packagePath = _folder.File("model.edgepkg");
        await File.WriteAllBytesAsync(packagePath, package.ToArray(), token);
        await File.WriteAllBytesAsync(_folder.File("calibration.csv"), calibration, token);
        await File.WriteAllTextAsync(_folder.File("trainer.pub.pem"), key.ExportSubjectPublicKeyInfoPem(), token);
        var environment = new Dictionary<string, string?>
        {
            ["EDGE_DEVICE__SYSTEM"] = pipeline.Recipe.System,
            ["EDGE_DEVICE__DEVICEID"] = Part,
            ["EDGE_MODELS__STOREDIRECTORY"] = _folder.File("store"),
            ["EDGE_MODELS__PUBLICKEYPATH"] = _folder.File("trainer.pub.pem"),
            ["EDGE_MODELS__CALIBRATIONSETPATH"] = _folder.File("calibration.csv"),
        };
        var (code, _, error) = await AgentRun.InvokeAsync(environment, "models", "install", packagePath);
        Assert.True(code == ExitCodes.Success, error);
        return environment;
    }

    private static void AssertCarriesRecipe(byte[] package, TrainingRecipe recipe)
    {
        using var zip = new ZipArchive(new MemoryStream(package), ZipArchiveMode.Read);
        var entry = zip.GetEntry(ModelPackager.RecipeEntry);
        Assert.NotNull(entry);
        using var reader = new StreamReader(entry.Open(), Encoding.UTF8);
        Assert.Equal(recipe, TrainingRecipeJson.Parse(reader.ReadToEnd()));
    }

    // What to classify, each with the split rows it holds in output order. FSDD: the test split's WAV files
    // (recordings 0-4, numbered in corpus order); with device statistics one agent run per speaker, since the split
    // treats each speaker as a device of its own and a new agent process starts a new warm-up. Else the features.
    private List<(string Inputs, List<int> Rows)> TestInputs(TrainingPipeline pipeline)
    {
        var folder = Directory.CreateDirectory(_folder.File("inputs")).FullName;
        if (!pipeline.Recipe.TakesSound)
        {
            var test = pipeline.Task.Test;
            var path = Path.Combine(folder, "test.csv");
            ValueCsv.WriteAtomically(path, test.Features, test.FeatureCount);
            return [(path, [.. Enumerable.Range(0, test.Count)])];
        }

        var perDevice = pipeline.Recipe.ResolvedFrontEnd()!.DeviceStatisticsWindow > 0;
        var corpus = BenchTasks.CorpusFor(FsddFeatures.Mfcc, Augmentation.None, pipeline.Recipe.Cepstra, null);
        var batches = new Dictionary<string, (string Inputs, List<int> Rows)>(StringComparer.Ordinal);
        var row = 0;
        foreach (var recording in corpus.Recordings.Where(r => r.Index <= 4))
        {
            var batch = perDevice ? recording.Speaker : "all";
            if (!batches.TryGetValue(batch, out var inputs))
            {
                inputs = (Directory.CreateDirectory(Path.Combine(folder, batch)).FullName, []);
                batches.Add(batch, inputs);
            }

            // Numbered names keep the agent's output in split order.
            var name = string.Create(CultureInfo.InvariantCulture, $"{row:D5}.wav");
            File.Copy(DataPaths.File("fsdd", recording.File), Path.Combine(inputs.Inputs, name));
            inputs.Rows.Add(row++);
        }

        return [.. batches.Values];
    }

    private static string ExpectedLabel(TrainingPipeline pipeline, int row)
        => pipeline.Task.ClassNames[pipeline.Task.Test.Labels[row]];
}
