using Edge.Domain.Devices;
using Edge.Domain.Simulation;
using Edge.Domain.Specs;

namespace Edge.Trainer.Twins;

/// <summary>How the twin's training data is collected from the device.</summary>
public sealed record TwinDataOptions
{
    /// <summary>Distinct drives sampled uniformly inside the spec's ranges.</summary>
    public int Samples { get; init; } = 20_000;

    /// <summary>Measurements averaged per drive to beat the noise.</summary>
    public int Repeats { get; init; } = 1;

    /// <summary>Drives measured twice to estimate the noise floor.</summary>
    public int NoiseFloorSamples { get; init; } = 1_000;

    /// <summary>Fraction held out for validation.</summary>
    public double ValidationFraction { get; init; } = 0.1;

    /// <summary>Drives sent to the device per call.</summary>
    public int BatchSize { get; init; } = 1_000;
}

/// <summary>Drives (converted as the DAC plays them) and the averaged responses measured on the device.</summary>
public sealed class TwinData
{
    private TwinData(LayerSpec spec, float[] drives, float[] responses, int trainCount, double noiseFloorNmse,
        double responseMean, double responseStd)
    {
        Spec = spec;
        Drives = drives;
        Responses = responses;
        TrainCount = trainCount;
        NoiseFloorNmse = noiseFloorNmse;
        ResponseMean = responseMean;
        ResponseStd = responseStd;
    }

    /// <summary>The layer measured.</summary>
    public LayerSpec Spec { get; }

    /// <summary>Row-major drives; the first <see cref="TrainCount"/> rows are for training.</summary>
    public float[] Drives { get; }

    /// <summary>Row-major averaged responses.</summary>
    public float[] Responses { get; }

    /// <summary>Rows used for training; the rest validate.</summary>
    public int TrainCount { get; }

    /// <summary>Total rows.</summary>
    public int Count => Responses.Length / Spec.OutputSize;

    /// <summary>
    /// Half the NMSE between two measurements of the same drives (the repeat in reverse order): the best a twin
    /// that sees one drive at a time can score.
    /// </summary>
    public double NoiseFloorNmse { get; }

    /// <summary>Global mean of the training responses.</summary>
    public double ResponseMean { get; }

    /// <summary>Global standard deviation of the training responses.</summary>
    public double ResponseStd { get; }

    /// <summary>Samples drives uniformly in the spec's ranges, measures them and estimates the noise floor.</summary>
    public static async Task<TwinData> CollectAsync(IPhysicalDevice device, TwinDataOptions options, ulong
        seed, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        var spec = device.Spec;
        var n = options.Samples;
        var driveLength = spec.DriveLength;
        var outputs = spec.OutputSize;
        var random = new NoiseSource(seed);
        var drives = new float[n * driveLength];
        for (var d = 0; d < n; d++)
        {
            for (var s = 0; s < driveLength; s++)
            {
                var range = spec.SegmentRange(s);
                drives[(d * driveLength) + s] = (float)spec.Dac.Quantise(random.NextUniform(range.Lo, range.Hi));
            }
        }

        var responses = new float[n * outputs];
        var scratch = new float[options.BatchSize * outputs];
        var total = (double)(n * options.Repeats) + options.NoiseFloorSamples;
        var done = 0.0;
        for (var start = 0; start < n; start += options.BatchSize)
        {
            var count = Math.Min(options.BatchSize, n - start);
            var driveSlice = drives.AsMemory(start * driveLength, count * driveLength);
            for (var r = 0; r < options.Repeats; r++)
            {
                await device.ForwardAsync(driveSlice, scratch.AsMemory(0, count * outputs),
                    cancellationToken).ConfigureAwait(false);
                for (var i = 0; i < count * outputs; i++)
                {
                    responses[(start * outputs) + i] += scratch[i] / options.Repeats;
                }

                done += count;
                progress?.Report(done / total);
            }
        }

        var trainCount = n - (int)Math.Round(n * options.ValidationFraction);
        var (mean, std) = MeanStd(responses.AsSpan(0, trainCount * outputs));
        var noiseFloor = await NoiseFloorAsync(device, drives, Math.Min(options.NoiseFloorSamples, n), std,
            cancellationToken).ConfigureAwait(false);
        progress?.Report(1.0);
        return new TwinData(spec, drives, responses, trainCount, noiseFloor, mean, std);
    }

    /// <summary>
    /// Wraps measurements ingested from a live agent (row-major drives and responses, oldest first). The newest
    /// <paramref name="validationFraction"/> validate; the noise floor is unknown (NaN) because no drive was repeated.
    /// </summary>
    public static TwinData FromMeasurements(LayerSpec spec, float[] drives, float[] responses,
        double validationFraction)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(drives);
        ArgumentNullException.ThrowIfNull(responses);
        var n = DeviceBatch.Count(spec, drives.Length, responses.Length);
        var trainCount = n - (int)Math.Round(n * validationFraction);
        if (trainCount < 1 || trainCount == n)
        {
            throw new
                ArgumentException($"{n} measurements cannot be split into training and validation rows at fraction "
                    + $"{validationFraction}.");
        }

        var (mean, std) = MeanStd(responses.AsSpan(0, trainCount * spec.OutputSize));
        return new TwinData(spec, drives, responses, trainCount, double.NaN, mean, std);
    }

    /// <summary>NMSE of <paramref name="predicted"/> against <paramref name="measured"/>, normalised by the response
    /// variance.</summary>
    public double Nmse(ReadOnlySpan<float> predicted, ReadOnlySpan<float> measured)
    {
        var sum = 0.0;
        for (var i = 0; i < measured.Length; i++)
        {
            var e = predicted[i] - (double)measured[i];
            sum += e * e;
        }

        return sum / measured.Length / (ResponseStd * ResponseStd);
    }

    private static async Task<double> NoiseFloorAsync(IPhysicalDevice device, float[] drives, int count, double std,
        CancellationToken cancellationToken)
    {
        if (count == 0)
        {
            return 0;
        }

        var outputs = device.Spec.OutputSize;
        var first = new float[count * outputs];
        var second = new float[count * outputs];
        // The repeat plays the drives in reverse order: a layer that remembers the previous drive then shows that
        // memory as the non-repeatability it is for a twin that sees one drive at a time.
        var driveLength = device.Spec.DriveLength;
        var reversed = new float[count * driveLength];
        for (var d = 0; d < count; d++)
        {
            drives.AsSpan(d * driveLength, driveLength).CopyTo(reversed.AsSpan((count - 1 - d) * driveLength));
        }

        await device.ForwardAsync(drives.AsMemory(0, count * driveLength), first,
            cancellationToken).ConfigureAwait(false);
        await device.ForwardAsync(reversed, second, cancellationToken).ConfigureAwait(false);
        var sum = 0.0;
        for (var d = 0; d < count; d++)
        {
            for (var o = 0; o < outputs; o++)
            {
                var e = first[(d * outputs) + o] - (double)second[((count - 1 - d) * outputs) + o];
                sum += e * e;
            }
        }

        return sum / first.Length / (std * std) / 2;
    }

    private static (double Mean, double Std) MeanStd(ReadOnlySpan<float> values)
    {
        var mean = 0.0;
        foreach (var v in values)
        {
            mean += v;
        }

        mean /= values.Length;
        var variance = 0.0;
        foreach (var v in values)
        {
            variance += (v - mean) * (v - mean);
        }

        var std = Math.Sqrt(variance / values.Length);
        return (mean, std > 0 ? std : 1.0);
    }
}
