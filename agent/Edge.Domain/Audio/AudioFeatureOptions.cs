namespace Edge.Domain.Audio;

/// <summary>How sound becomes a fixed feature vector: framing, spectrum, mel/MFCC, silence trimming, time
/// pooling.</summary>
public sealed record AudioFeatureOptions
{
    /// <summary>Rate the features are computed at; input at other rates is resampled.</summary>
    public int SampleRate { get; init; } = 8000;

    /// <summary>Samples per analysis frame.</summary>
    public int FrameLength { get; init; } = 200;

    /// <summary>Samples between frame starts.</summary>
    public int HopLength { get; init; } = 80;

    /// <summary>FFT points (a power of two ≥ <see cref="FrameLength"/>).</summary>
    public int FftSize { get; init; } = 256;

    /// <summary>Mel filters.</summary>
    public int MelBands { get; init; } = 26;

    /// <summary>Lowest mel filter edge in Hz.</summary>
    public double MelLowHz { get; init; } = 60;

    /// <summary>Highest mel filter edge in Hz (at most half the sample rate).</summary>
    public double MelHighHz { get; init; } = 3800;

    /// <summary>Cepstral coefficients kept (c0 included).</summary>
    public int CepstralCoefficients { get; init; } = 13;

    /// <summary>Pre-emphasis coefficient (0 disables it).</summary>
    public float PreEmphasis { get; init; } = 0.97f;

    /// <summary>Frames quieter than the loudest frame by more than this many dB are trimmed from both ends.</summary>
    public double TrimBelowPeakDb { get; init; } = 30;

    /// <summary>Equal time segments the trimmed utterance is pooled into.</summary>
    public int PooledSegments { get; init; } = 6;

    /// <summary>
    /// Subtract each coefficient's mean over the trimmed utterance before pooling (cepstral mean normalisation):
    /// removes
    /// the speaker's and the channel's fixed spectral colouring and the overall loudness.
    /// </summary>
    public bool CepstralMeanNormalisation { get; init; }

    /// <summary>
    /// Also divide each coefficient by its standard deviation over the trimmed utterance (per-utterance cepstral
    /// mean and variance normalisation, CMVN; needs <see cref="CepstralMeanNormalisation"/>). The utterance vector's
    /// deviation tail keeps the deviations before this scaling.
    /// </summary>
    public bool CepstralVarianceNormalisation { get; init; }

    /// <summary>
    /// Standardise utterance vectors with running statistics of this device's recent unlabelled utterances
    /// (<see cref="DeviceFeatureStatistics"/>) instead of the training split's fixed ones: roughly the last this many
    /// utterances count. 0 switches it off (the training split's statistics, as before).
    /// </summary>
    public int DeviceStatisticsWindow { get; init; }

    /// <summary>
    /// Weight, in utterances, of the training split's statistics the running statistics start from: the first
    /// utterances move them only a little, so a device is not thrown by its first few words.
    /// </summary>
    public int DeviceStatisticsWarmUp { get; init; } = DefaultDeviceStatisticsWarmUp;

    /// <summary>The default of <see cref="DeviceStatisticsWarmUp"/>.</summary>
    public const int DefaultDeviceStatisticsWarmUp = 10;

    /// <summary>Append the segment means of the MFCCs' time derivatives (deltas, regression over ±2 frames).</summary>
    public bool Deltas { get; init; }

    /// <summary>
    /// Length of the utterance vector: segment means of the MFCCs (and of their deltas when <see cref="Deltas"/> is
    /// set), then each coefficient's standard deviation over the utterance.
    /// </summary>
    public int VectorLength => ((Deltas ? 2 : 1) * PooledSegments * CepstralCoefficients) + CepstralCoefficients;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first inconsistent setting.</summary>
    public void Validate()
    {
        Require(SampleRate is >= 1000 and <= 384_000, $"SampleRate {SampleRate} Hz is out of range (1000..384000).");
        Require(FrameLength >= 16, $"FrameLength {FrameLength} must be at least 16 samples.");
        Require(HopLength >= 1 && HopLength <= FrameLength,
            $"HopLength {HopLength} must be in 1..FrameLength ({FrameLength}).");
        Require(FftSize >= FrameLength && (FftSize & (FftSize - 1)) == 0,
            $"FftSize {FftSize} must be a power of two ≥ FrameLength ({FrameLength}).");
        Require(MelBands >= 2, $"MelBands {MelBands} must be at least 2.");
        Require(MelLowHz >= 0 && MelHighHz > MelLowHz && MelHighHz <= SampleRate / 2.0,
            $"Mel range {MelLowHz}..{MelHighHz} Hz must lie in 0..{SampleRate / 2.0} Hz.");
        Require(CepstralCoefficients >= 1 && CepstralCoefficients <= MelBands,
            $"CepstralCoefficients {CepstralCoefficients} must be in 1..MelBands ({MelBands}).");
        Require(PreEmphasis is >= 0 and < 1, $"PreEmphasis {PreEmphasis} must be in [0, 1).");
        Require(TrimBelowPeakDb > 0, $"TrimBelowPeakDb {TrimBelowPeakDb} must be positive.");
        Require(PooledSegments >= 1, $"PooledSegments {PooledSegments} must be at least 1.");
        Require(
            !CepstralVarianceNormalisation || CepstralMeanNormalisation,
            "CepstralVarianceNormalisation needs CepstralMeanNormalisation: the variance is taken about the mean.");
        Require(
            DeviceStatisticsWindow is >= 0 and <= 100_000,
            $"DeviceStatisticsWindow {DeviceStatisticsWindow} must be in 0..100000 utterances (0 = off).");
        Require(
            DeviceStatisticsWarmUp is >= 1 and <= 100_000,
            $"DeviceStatisticsWarmUp {DeviceStatisticsWarmUp} must be in 1..100000 utterances.");
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }
}
