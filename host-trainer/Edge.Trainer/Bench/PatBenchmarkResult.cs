using Edge.Trainer.Training;

namespace Edge.Trainer.Bench;

/// <summary>Everything a <c>bench pat</c> run measured.</summary>
/// <param name="Options">What was run.</param>
/// <param name="Runs">One result per mode and seed.</param>
/// <param name="TwinDescription">The twin used.</param>
/// <param name="TwinValidationNmse">Twin NMSE on held-out drives.</param>
/// <param name="NoiseFloorNmse">Half the NMSE of repeated measurements.</param>
/// <param name="TwinFitCurve">Twin validation NMSE (or training loss for the gray-box) per epoch.</param>
/// <param name="TwinParity">Measured and predicted responses of held-out drives, for the parity plot.</param>
/// <param name="DataSeconds">Wall time of collecting twin data.</param>
/// <param name="TwinFitSeconds">Wall time of fitting the twin.</param>
/// <param name="TwinDataDrives">Drives played to collect twin data.</param>
/// <param name="WallSeconds">Wall time of the whole run.</param>
public sealed record PatBenchmarkResult(
    PatBenchmarkOptions Options,
    IReadOnlyList<TrainingResult> Runs,
    string TwinDescription,
    double TwinValidationNmse,
    double NoiseFloorNmse,
    IReadOnlyList<double> TwinFitCurve,
    (float[] Measured, float[] Predicted) TwinParity,
    double DataSeconds,
    double TwinFitSeconds,
    long TwinDataDrives,
    double WallSeconds)
{
    /// <summary>Runs of <paramref name="mode"/>, by seed.</summary>
    public IReadOnlyList<TrainingResult> Of(TrainingMode mode)
        => Runs.Where(r => r.Mode == mode).OrderBy(r => r.Seed).ToList();

    /// <summary>Mean device test accuracy of <paramref name="mode"/> over seeds.</summary>
    public double Mean(TrainingMode mode) => Of(mode).Average(r => r.TestAccuracy);

    /// <summary>All drives played: twin data plus every run.</summary>
    public long DevicePasses => TwinDataDrives + Runs.Sum(r => r.DrivesSent);
}
