using Edge.Domain.Simulation;
using Edge.Trainer.Live.Updates;
using Edge.Trainer.Recipes;
using Edge.Trainer.Training;

namespace Edge.Integration.Tests;

/// <summary>
/// Field updates fine-tune the network the watched package's <c>recipe.json</c> describes, not the standard network
/// of the system: a wide-hybrid package, on the shipped mosquitto configuration with a real agent.
/// </summary>
public sealed class FieldRecipeUpdateTests
{
    private static readonly FieldUpdatePolicy Policy = new()
    {
        DriftThreshold = 0.15,
        Cooldown = TimeSpan.Zero,
        MinimumSamples = 150,
        DriftSamples = 300,
    };

    // A reduced wide hybrid: a digital input layer into two branches of the agent's part, then the readout.
    private static readonly TrainingRecipe WideRecipe = new()
    {
        Task = "vowels",
        System = AgentInstance.System,
        Part = FieldLab.Device,
        Architecture = "wide",
        Width = 2,
        Layers = 1,
        Epochs = 1,
    };

    [Fact]
    public async Task A_drifting_wide_hybrid_is_fine_tuned_as_a_wide_hybrid_and_its_offer_carries_the_recipe()
    {
        await using var lab = await FieldLab.StartAsync(WideRecipe);
        await lab.MeasureAsync(300);
        await using var trainer = await lab.StartTrainerAsync(Policy);
        Assert.Equal(WideRecipe, trainer.Device.Recipe);
        Assert.Empty(await trainer.CheckAsync());

        lab.Part.AmbientShiftKelvin = 300;
        await lab.MeasureAsync(300);
        var update = Assert.Single(await trainer.CheckAsync());
        Assert.Equal((2, true, UpdateReason.Drift), (update.Version, update.Accepted, update.Reason));

        // The offered package rebuilds as the same wide hybrid, with the field session's fine-tuning recorded.
        var offered = Assert.Single(Directory.GetFiles(lab.PackageDirectory, "*.edgepkg"));
        var loader = new FieldPackageLoader(lab.Trust, PhysicalSystems.Get(AgentInstance.System), lab.Task.Test.Count);
        var reloaded = loader.Load(FieldLab.Device, offered);
        var recipe = Assert.IsType<TrainingRecipe>(reloaded.Recipe);
        Assert.Equal(("wide", 2, 1), (recipe.Architecture, recipe.Width, recipe.Layers));
        Assert.Equal(
            (TrainingMode.Pat.Name(), FieldPatSettings.FineTuning.LearningRate), (recipe.Mode, recipe.LearningRate));
        var expected = new TrainingPipeline(recipe, threads: 1, task: lab.Task)
            .BuildNetwork(lab.Part, TrainingMode.Pat, seed: 0);
        reloaded.LoadInto(expected);
        Assert.Contains(expected.Modules, m => m is ParallelLayers { Branches.Count: 2 });
    }
}
