using System.Security.Cryptography;
using Edge.Domain.Data;
using Edge.Trainer.Recipes;
using Edge.Trainer.Training;
using Edge.Trainer.Twins;

namespace Edge.Trainer.Live.Updates;

/// <summary>What a field PAT session needs besides the device: data, keys and how hard to train.</summary>
public sealed record FieldPatSettings
{
    /// <summary>The broker the agents are on.</summary>
    public required BrokerOptions Broker { get; init; }

    /// <summary>The task the deployed models solve (training data and test split).</summary>
    public required ClassificationTask Task { get; init; }

    /// <summary>The physical system the agents host (selects the network architecture).</summary>
    public required string System { get; init; }

    /// <summary>The trainer's package signing key.</summary>
    public required ECDsa SigningKey { get; init; }

    /// <summary>The exact calibration file the agents hold (its hash is signed into each package).</summary>
    public required byte[] CalibrationSet { get; init; }

    /// <summary>Who builds the packages.</summary>
    public string TrainerId { get; init; } = Environment.MachineName;

    /// <summary>Fine-tuning from the running model: fewer epochs and a smaller step than training anew.</summary>
    public static TrainingOptions FineTuning { get; } = new()
    {
        Epochs = 20, LearningRate = 0.005, EvaluationPasses = 1, CurveEvery = 2,
    };

    /// <summary>How a session trains (<see cref="FineTuning"/> unless set).</summary>
    public TrainingOptions Training { get; init; } = FineTuning;

    /// <summary>
    /// How a session fine-tunes a model trained with <paramref name="running"/>: <see cref="Training"/>, at no more
    /// than the rate the recipe's schedule reached in its last epoch. A cosine recipe ends near 0, and a converged
    /// network fine-tuned at a larger rate leaves its minimum (docs/field-updates.md); a constant-rate recipe keeps
    /// <see cref="Training"/>'s rate when it is the smaller. Without a recipe, <see cref="Training"/> as it is.
    /// </summary>
    /// <param name="running">The recipe in the running model's package, if it carries one.</param>
    public TrainingOptions TrainingFor(TrainingRecipe? running)
    {
        if (running is null)
        {
            return Training;
        }

        var schedule = LearningRateSchedules.Parse(running.Schedule);
        var epochs = Math.Max(1, running.Epochs);
        var lastEpochRate = schedule.At(running.LearningRate, epochs - 1, epochs);
        return Training with { LearningRate = Math.Min(Training.LearningRate, lastEpochRate) };
    }

    /// <summary>Fresh drives played to refit the twin before training (the device changed; its twin is old).</summary>
    public TwinDataOptions TwinData { get; init; } = new() { Samples = 6_000, NoiseFloorSamples = 200 };

    /// <summary>The twin refit.</summary>
    public MlpTwinOptions TwinFit { get; init; } = new()
    {
        Epochs = 30, HalvingEpochs = 10, Threads = Environment.ProcessorCount,
    };

    /// <summary>How long to wait for the agent's verdict on the offer.</summary>
    public TimeSpan OfferTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Where each offered package is kept (<c>{device}-v{version}.edgepkg</c>); null keeps none.</summary>
    public string? PackageDirectory { get; init; }

    /// <summary>Seed of shuffling and twin initialisation.</summary>
    public ulong Seed { get; init; } = 1;
}
