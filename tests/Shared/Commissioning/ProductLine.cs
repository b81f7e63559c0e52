using Edge.Tests.Shared.Faults;
using Edge.Trainer.Recipes;
using Edge.Trainer.Training;
using Edge.Trainer.Twins;

namespace Edge.Tests.Shared.Commissioning;

/// <summary>
/// The model a product line leaves the factory with, for a <see cref="CommissionField"/>: a
/// <see cref="TrainingRecipe"/> trained through <see cref="TrainingPipeline"/> on
/// <see cref="CommissionField.TrainedPart"/> and signed for the fleet <see cref="Fleet"/>. Every task takes this one
/// path — vowels as feature vectors, spoken digits with the recipe's audio front end written into the package.
/// </summary>
public sealed class ProductLine
{
    private readonly Func<TrainingPipeline, Task<PipelineRun>> _train;

    private ProductLine(
        TrainingRecipe recipe, string fleet, int threads, Func<TrainingPipeline, Task<PipelineRun>> train)
    {
        if (recipe.Part != CommissionField.TrainedPart)
        {
            throw new ArgumentException(
                $"The product line is trained on {CommissionField.TrainedPart}, the field's trained part; the recipe "
                + $"names '{recipe.Part}'.", nameof(recipe));
        }

        (Recipe, Fleet, Threads, _train) = (recipe, fleet, threads, train);
    }

    /// <summary>What is trained.</summary>
    public TrainingRecipe Recipe { get; }

    /// <summary>The fleet the package is signed for.</summary>
    public string Fleet { get; }

    /// <summary>Worker threads of the training.</summary>
    public int Threads { get; }

    /// <summary>
    /// The vowel product line of the field tests and benches: <paramref name="epochs"/> epochs of exact gradients of
    /// a simulated copy of the part (noise seed 11), and a small twin (two hidden layers of 64) from 2 000 drives.
    /// </summary>
    public static ProductLine Vowels(int epochs, string system = FaultAgent.System) => new(
        new TrainingRecipe
        {
            Task = "vowels",
            System = system,
            Part = CommissionField.TrainedPart,
            Mode = TrainingMode.Ideal.Name(),
            Epochs = epochs,
            Seed = 3,
            TwinSamples = 2_000,
            TwinNoiseFloorSamples = 50,
            TwinEpochs = 15,
            TwinHalvingEpochs = 5,
        },
        "vowel-line",
        threads: 1,
        TrainVowelsAsync);

    /// <summary>
    /// <paramref name="recipe"/> trained as <c>bench pat</c> and <c>edge-trainer package --recipe</c> train it
    /// (<see cref="TrainingPipeline.RunAsync"/>, 3 evaluation passes): the network the bench measured for the
    /// recipe's mode and seed.
    /// </summary>
    public static ProductLine Benched(TrainingRecipe recipe, string fleet, int threads = 2)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        return new(recipe, fleet, threads, pipeline =>
            pipeline.RunAsync(new TrainingOptions { CurveEvery = 0, EvaluationPasses = 3 }));
    }

    /// <summary>Trains the product-line model through <paramref name="pipeline"/> (a pipeline of <see cref="Recipe"/>).
    /// </summary>
    internal Task<PipelineRun> TrainAsync(TrainingPipeline pipeline) => _train(pipeline);

    private static async Task<PipelineRun> TrainVowelsAsync(TrainingPipeline pipeline)
    {
        const ulong partSeed = 11;
        var part = pipeline.CreateDevice(partSeed);
        var fit = new MlpTwinOptions { Hidden = [64, 64], Epochs = 15, HalvingEpochs = 5 };
        var twin = await pipeline.FitTwinAsync(part, fit: fit).ConfigureAwait(false);
        var seed = (ulong)pipeline.Recipe.Seed;
        var model = pipeline.BuildNetwork(part, TrainingMode.Ideal, seed);
        var evaluation = new TrainingOptions { EvaluationPasses = 1, CurveEvery = 0 };
        var result = await pipeline.TrainAsync(model, TrainingMode.Ideal, twin, seed, evaluation).ConfigureAwait(false);
        return new PipelineRun(pipeline.Recipe, model, twin, result);
    }
}
