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
    /// <summary>NMSE of <paramref name="twin"/> on the newest <paramref name="samples"/> measurements of <paramref name="deviceId"/>.</summary>
    public static async Task<double> DriftAsync(MeasurementStore store, string deviceId, ITwin twin, int samples, TrainerMetrics? metrics = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(twin);
        var data = await LoadAsync(store, deviceId, twin.Spec, samples, cancellationToken).ConfigureAwait(false);
        var count = data.Count;
        var predicted = new float[count * twin.Spec.OutputSize];
        twin.Forward(data.Drives, count, predicted, twin.CreateWorkspace(count));
        var nmse = data.Nmse(predicted, data.Responses);
        metrics?.DriftResidual.WithLabels(deviceId).Set(nmse);
        return nmse;
    }

    /// <summary>Fits an MLP twin on the newest <paramref name="samples"/> measurements of <paramref name="deviceId"/> (10 % validate).</summary>
    public static async Task<MlpTwinFit> RefitAsync(MeasurementStore store, string deviceId, LayerSpec spec, int samples, MlpTwinOptions options, ulong seed, CancellationToken cancellationToken = default)
    {
        var data = await LoadAsync(store, deviceId, spec, samples, cancellationToken).ConfigureAwait(false);
        return MlpTwinFitter.Fit(data, options, seed, cancellationToken: cancellationToken);
    }

    private static async Task<TwinData> LoadAsync(MeasurementStore store, string deviceId, LayerSpec spec, int samples, CancellationToken cancellationToken)
    {
        var (drives, responses, driveLength, outputSize) = await store.LoadAsync(deviceId, samples, cancellationToken).ConfigureAwait(false);
        if (drives.Length == 0)
        {
            throw new InvalidOperationException($"No measurements of device '{deviceId}' have been ingested yet.");
        }

        if (driveLength != spec.DriveLength || outputSize != spec.OutputSize)
        {
            throw new InvalidOperationException($"Measurements of '{deviceId}' have drive length {driveLength} and {outputSize} outputs; layer '{spec.Name}' needs {spec.DriveLength} and {spec.OutputSize}.");
        }

        return TwinData.FromMeasurements(spec, drives, responses, validationFraction: 0.1);
    }
}
