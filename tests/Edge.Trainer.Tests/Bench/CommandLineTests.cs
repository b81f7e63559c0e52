using Edge.Trainer.Bench;
using Edge.Trainer.Cli;
using Edge.Trainer.Training;

namespace Edge.Trainer.Tests.Bench;

public sealed class CommandLineTests
{
    [Fact]
    public void Modes_parse_in_order_without_duplicates()
    {
        Assert.Equal([TrainingMode.InSilico, TrainingMode.Pat, TrainingMode.PatRefine],
            BenchCommand.ParseModes("insilico, pat,pat-refine,pat"));
    }

    [Theory]
    [InlineData("pat,backprop", "Unknown training mode 'backprop'")]
    [InlineData(",", "--modes names no mode")]
    public void Bad_modes_are_rejected_with_the_valid_list(string text, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => BenchCommand.ParseModes(text));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_twin_and_non_positive_counts_are_rejected()
    {
        Assert.Contains("Valid twins: mlp, graybox", Assert.Throws<ArgumentException>(()
            => BenchCommand.ParseTwin("lstm")).Message, StringComparison.Ordinal);
        Assert.Contains("--seeds must be a positive number, was 0", Assert.Throws<ArgumentException>(()
            => BenchCommand.Positive(0, "--seeds")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Backprop_free_settings_default_to_the_systems_tuned_values_and_a_given_one_wins()
    {
        foreach (var system in new[] { "electronic", "mechanical", "optical" })
        {
            var tuned = BackpropFreeSettings.For(system);
            var training = BenchCommand.ParseRecorded(["--system", system]).Training;

            Assert.Equal(tuned, new BackpropFreeSettings(training.FeedbackScale, training.PerturbationDirections,
                training.PerturbationSize, training.PerturbationLearningRate));
        }

        Assert.NotEqual(BackpropFreeSettings.For("electronic"), BackpropFreeSettings.For(" Mechanical "));
        var given = BenchCommand.ParseRecorded(["--system", "mechanical", "--feedback-scale", "3", "--directions", "2",
            "--perturbation", "0.3", "--perturbation-learning-rate", "0.04"]).Training;
        Assert.Equal((3.0, 2, 0.3, 0.04), (given.FeedbackScale, given.PerturbationDirections, given.PerturbationSize,
            given.PerturbationLearningRate));
        Assert.Contains("--feedback-scale must be a positive number, was -1", Assert.Throws<ArgumentException>(()
            => BenchCommand.ParseRecorded(["--feedback-scale", "-1"])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fsdd_features_parse_and_unknown_ones_list_the_valid_names()
    {
        Assert.Equal(Edge.Trainer.Bench.FsddFeatures.Normalised, BenchCommand.ParseFeatures("normalised"));
        Assert.Equal(Edge.Trainer.Bench.FsddFeatures.Mfcc, BenchCommand.ParseFeatures(" MFCC "));
        Assert.Equal(Edge.Trainer.Bench.FsddFeatures.SpeakerNormalised, BenchCommand.ParseFeatures("speaker"));
        Assert.Equal(Augmentation.Speed, Augmentations.Parse("speed"));
        Assert.Equal(Augmentation.Shift, Augmentations.Parse(" Shift "));
        Assert.Equal(Augmentation.Voices, Augmentations.Parse("voices"));
        Assert.Contains("Valid augmentations: none, speed (fsdd), voices (fsdd), shift "
            + "(mnist)", Assert.Throws<ArgumentException>(() => Augmentations.Parse("mixup")).Message,
                StringComparison.Ordinal);
        Assert.Contains("--augment voices does not apply to task 'mnist'", Assert.Throws<ArgumentException>(()
            => BenchTasks.Load("mnist", FsddFeatures.Mfcc, Augmentation.Voices)).Message, StringComparison.Ordinal);
        Assert.Contains("--cepstra 27 is out of range: 1..26", Assert.Throws<ArgumentException>(()
            => BenchTasks.Load("fsdd", FsddFeatures.Mfcc, Augmentation.None, cepstra: 27)).Message,
                StringComparison.Ordinal);
        Assert.Contains("--augment shift does not apply to task 'vowels'", Assert.Throws<ArgumentException>(()
            => BenchTasks.Load("vowels", FsddFeatures.Mfcc, Augmentation.Shift)).Message, StringComparison.Ordinal);
        Assert.Contains("--augment speed does not apply to task 'mnist'", Assert.Throws<ArgumentException>(()
            => BenchTasks.Load("mnist", FsddFeatures.Mfcc, Augmentation.Speed)).Message, StringComparison.Ordinal);
        Assert.Contains("Valid features: mfcc, speaker, normalised", Assert.Throws<ArgumentException>(()
            => BenchCommand.ParseFeatures("plp")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_command_line_name_parses_back_to_its_value_and_aliases_are_accepted()
    {
        Assert.All(Enum.GetValues<Augmentation>(), v => Assert.Equal(v, Augmentations.Parse(v.Name())));
        Assert.All(Enum.GetValues<PnnArchitecture>(), v => Assert.Equal(v, PnnArchitectureNames.Parse(v.Name())));
        Assert.All(Enum.GetValues<TrainingMode>(), v => Assert.Equal(v, TrainingModes.Parse(v.Name())));
        Assert.All(Enum.GetValues<LearningRateSchedule>(), v => Assert.Equal(v, LearningRateSchedules.Parse(v.Name())));
        Assert.All(Enum.GetValues<FsddFeatures>(), v => Assert.Equal(v, FsddFeatureNames.Parse(v.Name())));

        Assert.Equal(TrainingMode.InSilico, TrainingModes.Parse(" In-Silico "));
        Assert.Equal(PnnArchitecture.PixelDrive, PnnArchitectureNames.Parse("pixels"));
        Assert.Equal(FsddFeatures.Normalised, FsddFeatureNames.Parse("cmvn"));
        Assert.Equal(TwinKind.GrayBox, BenchCommand.ParseTwin("greybox"));
        Assert.Equal("speaker", FsddFeatures.SpeakerNormalised.Name());
        Assert.Contains("Unknown training mode 'adam'. Valid modes: insilico, pat, ideal, pat-refine, digital, dfa, "
            + "local, zo.", Assert.Throws<ArgumentException>(() => TrainingModes.Parse("adam")).Message,
                StringComparison.Ordinal);
        Assert.Contains("--modes names no mode. Valid modes: insilico, pat", Assert.Throws<ArgumentException>(()
            => BenchCommand.ParseModes(" , ")).Message, StringComparison.Ordinal);
        Assert.Contains("Unknown learning-rate schedule 'step'. Valid schedules: constant, "
            + "cosine.", Assert.Throws<ArgumentException>(() => LearningRateSchedules.Parse("step")).Message,
                StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_system_names_the_known_ones()
    {
        var error = Assert.Throws<ArgumentException>(() => Edge.Domain.Simulation.PhysicalSystems.Get("quantum"));
        Assert.Contains("duffing", error.Message, StringComparison.Ordinal);
    }
}
