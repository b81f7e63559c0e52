using System.Security.Cryptography;
using Edge.Domain.Data;
using Edge.Domain.Models;
using Edge.Trainer.Live;
using Edge.Trainer.Live.Updates;
using Edge.Trainer.Recipes;
using Edge.Trainer.Training;
using FsCheck;
using FsCheck.Fluent;

namespace Edge.Trainer.Tests.Live;

/// <summary>
/// Field updates and commissioning fine-tune at a rate derived from the running model's recipe: the shipped digit
/// network (cosine from 0.01 over 10 epochs) lost 21 points when fine-tuned at the constant 0.005 (issue 16).
/// </summary>
public sealed class FieldFineTuningRateTests : IDisposable
{
    private readonly ECDsa _key = PackageSigning.CreateKey();

    private FieldPatSettings Settings => new()
    {
        Broker = new BrokerOptions { Host = "localhost", Port = 1 },
        Task = VowelDataset.Load(),
        System = "electronic",
        SigningKey = _key,
        CalibrationSet = [1],
    };

    public void Dispose() => _key.Dispose();

    [Fact]
    public void The_shipped_cosine_digit_recipe_is_fine_tuned_at_its_last_epochs_rate_not_the_default()
    {
        var shipped = new TrainingRecipe
        {
            Task = "fsdd-loso-george", Schedule = "cosine", LearningRate = 0.01, Epochs = 10, InputNoise = 1,
        };

        var training = Settings.TrainingFor(shipped);

        // 0.01 * (1 + cos(0.9 pi)) / 2: twenty times below the 0.005 that un-trained the network.
        Assert.Equal(2.447e-4, training.LearningRate, 6);
        Assert.Equal(Settings.Training with { LearningRate = training.LearningRate }, training);
    }

    [Fact]
    public void A_model_without_a_recipe_is_fine_tuned_with_the_settings_as_they_are()
    {
        var settings = Settings;
        Assert.Equal(settings.Training, settings.TrainingFor(null));
    }

    [Fact]
    public void The_rate_never_exceeds_the_recipes_last_epoch_nor_the_settings_fine_tuning_rate()
    {
        var settings = Settings;
        var recipes =
            from schedule in Gen.Elements(LearningRateSchedule.Constant, LearningRateSchedule.Cosine)
            from epochs in Gen.Choose(1, 300)
            from rate in Gen.Choose(1, 999).Select(r => r / 10_000.0)
            select (schedule, new TrainingRecipe { Schedule = schedule.Name(), Epochs = epochs, LearningRate = rate });
        Prop.ForAll(recipes.ToArbitrary(), pair =>
        {
            var (schedule, recipe) = pair;
            var lastEpoch = schedule.At(recipe.LearningRate, recipe.Epochs - 1, recipe.Epochs);
            var fineTuning = settings.TrainingFor(recipe).LearningRate;
            return fineTuning == Math.Min(lastEpoch, settings.Training.LearningRate) && fineTuning > 0;
        }).QuickCheckThrowOnFailure();
    }
}
