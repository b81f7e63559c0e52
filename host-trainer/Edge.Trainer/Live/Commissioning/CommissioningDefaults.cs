using System.Security.Cryptography;
using Edge.Domain.Data;
using Edge.Trainer.Live.Updates;
using Edge.Trainer.Twins;

namespace Edge.Trainer.Live.Commissioning;

/// <summary>
/// How hard a commissioning trains, chosen with <c>edge-trainer bench commission</c> (docs/benchmarks-notes.md): the
/// fewest drives and epochs that bring a new part within a point of the part the model was trained on, well inside
/// a minute on two cores. <c>serve --commission</c> and the bench build their sessions here, so the bench measures
/// what ships.
/// </summary>
public static class CommissioningDefaults
{
    /// <summary>Drives played through the new part to fit its twin.</summary>
    public const int TwinSamples = 3_000;

    /// <summary>PAT epochs of the fine-tune through the new part.</summary>
    public const int Epochs = 5;

    /// <summary>Epochs of the new part's twin fit (its learning rate halves every third of them).</summary>
    public const int TwinEpochs = 20;

    /// <summary>The field session settings of a commissioning.</summary>
    public static FieldPatSettings Session(
        BrokerOptions broker,
        ClassificationTask task,
        string system,
        ECDsa signingKey,
        byte[] calibrationSet,
        int twinSamples = TwinSamples,
        int epochs = Epochs) => new()
        {
            Broker = broker,
            Task = task,
            System = system,
            SigningKey = signingKey,
            CalibrationSet = calibrationSet,
            Training = FieldPatSettings.FineTuning with { Epochs = epochs, CurveEvery = 0 },
            TwinData = new TwinDataOptions { Samples = twinSamples, NoiseFloorSamples = 100 },
            TwinFit = new MlpTwinOptions
            {
                Epochs = TwinEpochs,
                HalvingEpochs = Math.Max(1, TwinEpochs / 3),
                Threads = Environment.ProcessorCount,
            },
        };
}
