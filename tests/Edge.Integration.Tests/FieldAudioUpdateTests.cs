using System.Text.Json;
using Edge.Domain.Models;
using Edge.Domain.Simulation;
using Edge.Trainer.Bench;
using Edge.Trainer.Live;
using Edge.Trainer.Live.Commissioning;
using Edge.Trainer.Live.Updates;
using Edge.Trainer.Recipes;

namespace Edge.Integration.Tests;

/// <summary>
/// Field updates of a spoken-digit package whose recipe has its own front end (device-normalised features): the
/// session trains on the recipe's features, not the task's default ones, and the offered package hears as the watched
/// one did (the manifest's <c>input.audio</c> block goes out unchanged). Shipped mosquitto configuration, a real agent.
/// </summary>
public sealed class FieldAudioUpdateTests
{
    private static readonly FieldUpdatePolicy Policy = new()
    {
        DriftThreshold = 0.15,
        Cooldown = TimeSpan.Zero,
        MinimumSamples = 150,
        DriftSamples = 300,
    };

    private static readonly TrainingRecipe DeviceFeatures = WithFrontEnd(new()
    {
        Task = "fsdd",
        System = AgentInstance.System,
        Part = FieldLab.Device,
        Features = "device",
        Epochs = 1,
    });

    [Fact]
    public async Task A_device_features_digit_package_is_fine_tuned_on_its_features_and_keeps_its_audio_block()
    {
        var recipeTask = BenchTasks.Load("fsdd", FsddFeatures.DeviceNormalised, Augmentation.None);
        var defaultTask = BenchTasks.Load("fsdd");
        await using var lab = await FieldLab.StartAsync(DeviceFeatures, recipeTask);
        var token = TestContext.Current.CancellationToken;
        var watched = ModelPackageReader.Read(await File.ReadAllBytesAsync(lab.WatchedPackage, token), lab.Trust);
        var watchedAudio = Assert.IsType<AudioInputEncoding>(watched.Manifest.Input.Audio);
        await lab.MeasureAsync(300);

        // The trainer's --task is plain fsdd (mfcc features): the session must train on the recipe's own.
        await using var trainer = await lab.StartTrainerAsync(Policy, settingsTask: defaultTask);
        Assert.Equal(Json(watchedAudio), Json(trainer.Device.AudioInput!));
        var session = trainer.Service.Session.PipelineFor(trainer.Device);
        Assert.Equal(recipeTask.Train.Features, session.Task.Train.Features);
        Assert.NotEqual(defaultTask.Train.Features, session.Task.Train.Features);
        Assert.Empty(await trainer.CheckAsync());

        lab.Part.AmbientShiftKelvin = 300;
        await lab.MeasureAsync(300);
        var update = Assert.Single(await trainer.CheckAsync());
        Assert.Equal((2, true), (update.Version, update.Accepted));

        await AssertTheOfferKeepsTheAudioBlockAsync(lab, watchedAudio, token);
    }

    [Fact]
    public async Task A_part_commissioned_from_a_device_features_digit_package_keeps_its_audio_block()
    {
        var recipeTask = BenchTasks.Load("fsdd", FsddFeatures.DeviceNormalised, Augmentation.None);
        await using var lab = await FieldLab.StartAsync(DeviceFeatures, recipeTask);
        var token = TestContext.Current.CancellationToken;
        var watched = ModelPackageReader.Read(await File.ReadAllBytesAsync(lab.WatchedPackage, token), lab.Trust);
        var watchedAudio = Assert.IsType<AudioInputEncoding>(watched.Manifest.Input.Audio);

        // serve --commission with the watched package as the product line and plain fsdd as its --task.
        await using var store = await MeasurementStore.OpenAsync(lab.StorePath, token);
        var commissioning = lab.Commissioning(BenchTasks.Load("fsdd"), store);
        var record = await commissioning.CommissionAsync(FieldLab.Device, activeVersion: 1, token);
        Assert.Equal((CommissioningState.Commissioned, (int?)2), (record.State, record.Version));

        await AssertTheOfferKeepsTheAudioBlockAsync(lab, watchedAudio, token);
    }

    // The one package offered carries the watched package's audio block and its device-features fsdd recipe.
    private static async Task AssertTheOfferKeepsTheAudioBlockAsync(
        FieldLab lab, AudioInputEncoding watchedAudio, CancellationToken token)
    {
        var offered = Assert.Single(Directory.GetFiles(lab.PackageDirectory, "*.edgepkg"));
        var package = ModelPackageReader.Read(await File.ReadAllBytesAsync(offered, token), lab.Trust);
        Assert.Equal(ModelInput.AudioMfcc, package.Manifest.Input.Encoding);
        Assert.Equal(Json(watchedAudio), Json(package.Manifest.Input.Audio!));
        var loader = new FieldPackageLoader(lab.Trust, PhysicalSystems.Get(AgentInstance.System), 64);
        var recipe = Assert.IsType<TrainingRecipe>(loader.Load(FieldLab.Device, offered).Recipe);
        Assert.Equal(("fsdd", "device"), (recipe.Task, recipe.Features));
    }

    // A shipped recipe names its front end in full (as `package` writes it).
    private static TrainingRecipe WithFrontEnd(TrainingRecipe recipe) =>
        recipe with { FrontEnd = recipe.ResolvedFrontEnd() };

    private static string Json(AudioInputEncoding audio) =>
        JsonSerializer.Serialize(audio, ModelJsonContext.Default.AudioInputEncoding);
}
