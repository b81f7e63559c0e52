namespace Edge.Domain.Simulation.Optical;

/// <summary>
/// The fixed geometry of the optical layer: how the pulse shaper's pixels map to frequencies, which drive segment
/// each shaper channel plays, and which second-harmonic (SH) frequencies each spectrometer bin collects. Frequencies
/// are in THz; the fundamental grid is centred on 374.7 THz (800 nm).
/// </summary>
public static class OpticalLayout
{
    /// <summary>Shaper channels, one per drive segment.</summary>
    public const int Channels = 24;

    /// <summary>Fine frequency samples each shaper channel spans (the channel's SLM pixels).</summary>
    public const int SamplesPerChannel = 4;

    /// <summary>Fine frequency samples of the fundamental field.</summary>
    public const int FundamentalSamples = Channels * SamplesPerChannel;

    /// <summary>Spacing of the fine frequency grid, THz (the same on the SH grid, since Ω = ω_k + ω_l).</summary>
    public const double SampleSpacingTHz = 0.1;

    /// <summary>Centre of the shaper's frequency grid, THz (800 nm).</summary>
    public const double GridCentreTHz = 374.7;

    /// <summary>SH frequency samples produced by pairs of fundamental samples (k + l = 0 … 2N − 2).</summary>
    public const int SecondHarmonicSamples = (2 * FundamentalSamples) - 1;

    /// <summary>Spectrometer bins: the layer output.</summary>
    public const int Bins = 12;

    /// <summary>SH samples integrated by one spectrometer bin (0.8 THz ≈ 0.43 nm per bin).</summary>
    public const int SamplesPerBin = 8;

    /// <summary>SH samples the spectrometer sees.</summary>
    public const int WindowSamples = Bins * SamplesPerBin;

    /// <summary>First SH sample index the spectrometer sees; the window is centred on twice the grid centre.</summary>
    public const int WindowStart = (FundamentalSamples - 1) - (WindowSamples / 2);

    /// <summary>Group-velocity mismatch of the crystal between 800 nm and 400 nm, fs/mm (β-BaB₂O₄).</summary>
    public const double GroupVelocityMismatchFsPerMm = 190.0;

    /// <summary>Frequency of fundamental sample <paramref name="k"/>, THz.</summary>
    public static double FundamentalFrequency(int k) => GridCentreTHz
        + ((k - ((FundamentalSamples - 1) / 2.0)) * SampleSpacingTHz);

    /// <summary>Frequency of SH sample <paramref name="m"/> (= k + l), THz.</summary>
    public static double SecondHarmonicFrequency(int m) => (2 * GridCentreTHz)
        + ((m - (FundamentalSamples - 1)) * SampleSpacingTHz);

    /// <summary>
    /// The drive segment shaper channel <paramref name="channel"/> plays. Input and parameter channels alternate
    /// across the spectrum, so every spectrometer bin mixes inputs with parameters (a contiguous layout would leave
    /// the red bins driven by inputs only and the blue bins by parameters only).
    /// </summary>
    public static int SegmentOfChannel(int channel) => (channel % 2 == 0 ? 0 : Channels / 2) + (channel / 2);
}
