using System.Text.Json.Serialization;
using Edge.Domain.Audio;

namespace Edge.Domain.Models;

/// <summary>
/// How a model package with <see cref="ModelInput.AudioMfcc"/> input turns sound into its features: the audio front
/// end's settings, then per-feature standardisation <c>(x - Mean) / Scale</c> with the statistics of the training
/// split.
/// The fields are spelt out here, not taken from <see cref="AudioFeatureOptions"/>, so the signed layout stays fixed
/// when the front end gains settings. Settings added later are left out of the manifest while they hold their default
/// (today's behaviour), so a package without them reads, and a package that does not use them is written, as before.
/// </summary>
public sealed record AudioInputEncoding
{
    /// <summary>Feature sample rate in Hz; sound at other rates is resampled.</summary>
    public required int SampleRate { get; init; }

    /// <summary>Samples per analysis frame.</summary>
    public required int FrameLength { get; init; }

    /// <summary>Samples between frame starts.</summary>
    public required int HopLength { get; init; }

    /// <summary>FFT points.</summary>
    public required int FftSize { get; init; }

    /// <summary>Mel filters.</summary>
    public required int MelBands { get; init; }

    /// <summary>Lowest mel filter edge in Hz.</summary>
    public required double MelLowHz { get; init; }

    /// <summary>Highest mel filter edge in Hz.</summary>
    public required double MelHighHz { get; init; }

    /// <summary>Cepstral coefficients kept (c0 included).</summary>
    public required int CepstralCoefficients { get; init; }

    /// <summary>Pre-emphasis coefficient.</summary>
    public required float PreEmphasis { get; init; }

    /// <summary>Silence trimming threshold below the loudest frame, in dB.</summary>
    public required double TrimBelowPeakDb { get; init; }

    /// <summary>Equal time segments the utterance is pooled into.</summary>
    public required int PooledSegments { get; init; }

    /// <summary>Per-utterance mean normalisation (<see cref="AudioFeatureOptions.CepstralMeanNormalisation"/>).
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool CepstralMeanNormalisation { get; init; }

    /// <summary>
    /// Per-utterance variance normalisation (<see cref="AudioFeatureOptions.CepstralVarianceNormalisation"/>).
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool CepstralVarianceNormalisation { get; init; }

    /// <summary>Pooled deltas (<see cref="AudioFeatureOptions.Deltas"/>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Deltas { get; init; }

    /// <summary>
    /// Running per-device standardisation over about this many recent utterances, starting from
    /// <see cref="Mean"/> and <see cref="Scale"/> (<see cref="AudioFeatureOptions.DeviceStatisticsWindow"/>); 0 = off.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int DeviceStatisticsWindow { get; init; }

    /// <summary>
    /// Warm-up of the running statistics in utterances (<see cref="AudioFeatureOptions.DeviceStatisticsWarmUp"/>).
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int DeviceStatisticsWarmUp { get; init; }

    /// <summary>Per-feature mean subtracted from the front end's vector.</summary>
    public required IReadOnlyList<float> Mean { get; init; }

    /// <summary>Per-feature scale (a positive standard deviation) the centred vector is divided by.</summary>
    public required IReadOnlyList<float> Scale { get; init; }

    /// <summary>Describes <paramref name="options"/> followed by standardisation with <paramref name="mean"/> and
    /// <paramref name="scale"/>.</summary>
    public static AudioInputEncoding From(AudioFeatureOptions options, IReadOnlyList<float> mean, IReadOnlyList<float>
        scale)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(scale);
        return new AudioInputEncoding
        {
            SampleRate = options.SampleRate,
            FrameLength = options.FrameLength,
            HopLength = options.HopLength,
            FftSize = options.FftSize,
            MelBands = options.MelBands,
            MelLowHz = options.MelLowHz,
            MelHighHz = options.MelHighHz,
            CepstralCoefficients = options.CepstralCoefficients,
            PreEmphasis = options.PreEmphasis,
            TrimBelowPeakDb = options.TrimBelowPeakDb,
            PooledSegments = options.PooledSegments,
            CepstralMeanNormalisation = options.CepstralMeanNormalisation,
            CepstralVarianceNormalisation = options.CepstralVarianceNormalisation,
            Deltas = options.Deltas,
            DeviceStatisticsWindow = options.DeviceStatisticsWindow,
            DeviceStatisticsWarmUp = options.DeviceStatisticsWindow > 0 ? options.DeviceStatisticsWarmUp : 0,
            Mean = [.. mean],
            Scale = [.. scale],
        };
    }

    /// <summary>The front-end settings.</summary>
    public AudioFeatureOptions ToOptions() => new()
    {
        SampleRate = SampleRate,
        FrameLength = FrameLength,
        HopLength = HopLength,
        FftSize = FftSize,
        MelBands = MelBands,
        MelLowHz = MelLowHz,
        MelHighHz = MelHighHz,
        CepstralCoefficients = CepstralCoefficients,
        PreEmphasis = PreEmphasis,
        TrimBelowPeakDb = TrimBelowPeakDb,
        PooledSegments = PooledSegments,
        CepstralMeanNormalisation = CepstralMeanNormalisation,
        CepstralVarianceNormalisation = CepstralVarianceNormalisation,
        Deltas = Deltas,
        DeviceStatisticsWindow = DeviceStatisticsWindow,
        DeviceStatisticsWarmUp = DeviceStatisticsWarmUp > 0
            ? DeviceStatisticsWarmUp
            : AudioFeatureOptions.DefaultDeviceStatisticsWarmUp,
    };

    /// <summary>
    /// Throws <see cref="ModelPackageException"/> naming the field when the settings are inconsistent, the vector is
    /// not <paramref name="size"/> long, or the standardisation is not finite with positive scales.
    /// </summary>
    public void Validate(int size)
    {
        var options = ToOptions();
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new ModelPackageException($"Manifest 'input.audio': {e.Message}", e);
        }

        if (options.VectorLength != size)
        {
            var segments = Deltas ? $"{PooledSegments} segments and their deltas" : $"{PooledSegments} segments";
            throw new ModelPackageException(
                $"Manifest 'input.audio' makes {options.VectorLength} features ({segments} + 1 × "
                + $"{CepstralCoefficients} coefficients) but 'input.size' is {size}.");
        }

        if (Mean is null || Scale is null || Mean.Count != size || Scale.Count != size)
        {
            throw new
                ModelPackageException($"Manifest 'input.audio': 'mean' and 'scale' must each hold {size} values, had "
                    + $"{Mean?.Count ?? 0} and {Scale?.Count ?? 0}.");
        }

        for (var i = 0; i < size; i++)
        {
            if (!float.IsFinite(Mean[i]) || !float.IsFinite(Scale[i]) || Scale[i] <= 0)
            {
                throw new
                    ModelPackageException($"Manifest 'input.audio': feature {i} has mean {Mean[i]} and scale "
                        + $"{Scale[i]}; both must be finite and the scale positive.");
            }
        }
    }
}
