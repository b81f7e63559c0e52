using Edge.Domain.Specs;
using Edge.Trainer.Twins;

namespace Edge.Trainer.Live;

/// <summary>
/// Keeps a device's twin honest with the measurements its agent streams in: <see cref="DriftAsync"/> scores a twin on
/// the newest ingested measurements (its NMSE rises when the device drifts away from it, exported as
/// <c>edge_trainer_twin_drift_nmse</c>), and <see cref="RefitAsync"/> fits a fresh MLP twin on them.
/// </summary>
public static class LiveTwin
{
    /// <summary>NMSE of <paramref name="twin"/> on the newest <paramref name="samples"/> measurements of <paramref
    /// name="deviceId"/>.</summary>
    public static async Task<double> DriftAsync(MeasurementStore store, string deviceId, ITwin twin, int samples,
        TrainerMetrics? metrics = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(twin);
        var data = await LoadAsync(store, deviceId, twin.Spec, samples, cancellationToken).ConfigureAwait(false);
        return Score(data, deviceId, twin, metrics);
    }

    /// <summary>
    /// Like <see cref="DriftAsync"/>, but answers null instead of throwing when fewer than
    /// <paramref name="minimumSamples"/> measurements of the device have arrived (a score of a handful is noise).
    /// </summary>
    public static async Task<DriftScore?> TryDriftAsync(MeasurementStore store, string deviceId, ITwin twin,
        int samples, int minimumSamples, TrainerMetrics? metrics = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(twin);
        var (drives, responses, driveLength, outputSize) = await store.LoadAsync(deviceId, samples,
            cancellationToken).ConfigureAwait(false);
        var count = driveLength == 0 ? 0 : drives.Length / driveLength;
        if (count < minimumSamples)
        {
            return null;
        }

        var data = FromMeasurements(deviceId, twin.Spec, drives, responses, driveLength, outputSize);
        return new DriftScore(Score(data, deviceId, twin, metrics), count);
    }

    /// <summary>Fits an MLP twin on the newest <paramref name="samples"/> measurements of <paramref name="deviceId"/>
    /// (10 % validate).</summary>
    public static async Task<MlpTwinFit> RefitAsync(MeasurementStore store, string deviceId, LayerSpec spec,
        int samples, MlpTwinOptions options, ulong seed, CancellationToken cancellationToken = default)
    {
        var data = await LoadAsync(store, deviceId, spec, samples, cancellationToken).ConfigureAwait(false);
        return MlpTwinFitter.Fit(data, options, seed, cancellationToken: cancellationToken);
    }

    private static async Task<TwinData> LoadAsync(MeasurementStore store, string deviceId, LayerSpec spec, int samples,
        CancellationToken cancellationToken)
    {
        var (drives, responses, driveLength, outputSize) = await store.LoadAsync(deviceId, samples,
            cancellationToken).ConfigureAwait(false);
        if (drives.Length == 0)
        {
            throw new InvalidOperationException($"No measurements of device '{deviceId}' have been ingested yet.");
        }

        return FromMeasurements(deviceId, spec, drives, responses, driveLength, outputSize);
    }

    private static TwinData FromMeasurements(string deviceId, LayerSpec spec, float[] drives, float[] responses,
        int driveLength, int outputSize)
    {
        if (driveLength != spec.DriveLength || outputSize != spec.OutputSize)
        {
            throw new
                InvalidOperationException($"Measurements of '{deviceId}' have drive length {driveLength} and "
                    + $"{outputSize} outputs; layer '{spec.Name}' needs {spec.DriveLength} and {spec.OutputSize}.");
        }

        return TwinData.FromMeasurements(spec, drives, responses, validationFraction: 0.1);
    }

    private static double Score(TwinData data, string deviceId, ITwin twin, TrainerMetrics? metrics)
    {
        var count = data.Count;
        var predicted = new float[count * twin.Spec.OutputSize];
        twin.Forward(data.Drives, count, predicted, twin.CreateWorkspace(count));
        var nmse = data.Nmse(predicted, data.Responses);
        metrics?.DriftResidual.WithLabels(deviceId).Set(nmse);
        return nmse;
    }
}

/// <summary>A drift score: the twin's NMSE on the newest measurements and how many were scored.</summary>
/// <param name="Nmse">Normalised mean squared error of the twin's prediction of the measured responses.</param>
/// <param name="Samples">Measurements scored.</param>
public readonly record struct DriftScore(double Nmse, int Samples);
