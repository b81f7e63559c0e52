namespace Edge.Domain.Audio;

/// <summary>
/// Triangular filters equally spaced on the HTK mel scale between a low and a high frequency, over the bins 0..N/2 of
/// an N-point power spectrum. Neighbouring triangles cross at half height, so between the first and the last centre
/// the weights of every bin sum to one.
/// </summary>
public sealed class MelFilterbank
{
    /// <summary>Smallest warp factor the constructor takes.</summary>
    public const double MinWarp = 0.5;

    /// <summary>Largest warp factor the constructor takes.</summary>
    public const double MaxWarp = 2;

    // Where the warp stops being a pure scaling, as a fraction of Nyquist.
    private const double BoundaryFraction = 0.85;

    private readonly float[] _weights;
    private readonly int _bins;

    /// <summary>Builds <paramref name="bands"/> filters for an <paramref name="fftSize"/>-point spectrum at <paramref
    /// name="sampleRate"/>.</summary>
    public MelFilterbank(int bands, int fftSize, int sampleRate, double lowHz, double highHz)
        : this(bands, fftSize, sampleRate, lowHz, highHz, warp: 1)
    {
    }

    /// <summary>
    /// Builds the filters with their edges moved by the vocal-tract-length warp <paramref name="warp"/>
    /// (<see cref="WarpHz"/>; 1 leaves them where they are): each filter reads the spectrum <paramref name="warp"/>
    /// times higher, so a voice sounds as one with a vocal tract about <paramref name="warp"/> times as long would —
    /// training augmentation (vocal-tract-length perturbation, VTLP; Jaitly and Hinton 2013).
    /// </summary>
    public MelFilterbank(int bands, int fftSize, int sampleRate, double lowHz, double highHz, double warp)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bands, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(fftSize, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 1);
        if (lowHz < 0 || highHz <= lowHz || highHz > sampleRate / 2.0)
        {
            throw new
                ArgumentException($"Mel range {lowHz}..{highHz} Hz must satisfy 0 ≤ low < high ≤ Nyquist "
                    + $"({sampleRate / 2.0} Hz).");
        }

        if (!double.IsFinite(warp) || warp is < MinWarp or > MaxWarp)
        {
            throw new ArgumentOutOfRangeException(nameof(warp), warp, $"The warp must lie in {MinWarp}..{MaxWarp}.");
        }

        Bands = bands;
        _bins = (fftSize / 2) + 1;
        _weights = new float[bands * _bins];
        var lowMel = HzToMel(lowHz);
        var highMel = HzToMel(highHz);
        var edges = new double[bands + 2];
        for (var i = 0; i < edges.Length; i++)
        {
            edges[i] = WarpHz(MelToHz(lowMel + ((highMel - lowMel) * i / (bands + 1))), warp, sampleRate / 2.0);
        }

        for (var band = 0; band < bands; band++)
        {
            var (left, centre, right) = (edges[band], edges[band + 1], edges[band + 2]);
            for (var bin = 0; bin < _bins; bin++)
            {
                var hz = (double)bin * sampleRate / fftSize;
                var weight = hz <= centre ? (hz - left) / (centre - left) : (right - hz) / (right - centre);
                _weights[(band * _bins) + bin] = (float)Math.Max(0, weight);
            }
        }

        CentresHz = edges[1..^1];
    }

    /// <summary>Number of filters.</summary>
    public int Bands { get; }

    /// <summary>Centre frequency of each filter in Hz.</summary>
    public IReadOnlyList<double> CentresHz { get; }

    /// <summary>Weight of spectrum bin <paramref name="bin"/> in filter <paramref name="band"/>.</summary>
    public float Weight(int band, int bin) => _weights[(band * _bins) + bin];

    /// <summary>
    /// The VTLP frequency warp: <paramref name="hz"/> × <paramref name="warp"/> up to a boundary at 85 % of
    /// <paramref name="nyquistHz"/> (scaled down for warps above 1), then a straight line to the Nyquist frequency,
    /// so the warped axis still ends there and never folds over.
    /// </summary>
    public static double WarpHz(double hz, double warp, double nyquistHz)
    {
        if (warp == 1)
        {
            return hz;
        }

        var boundary = BoundaryFraction * nyquistHz * Math.Min(warp, 1) / warp;
        return hz <= boundary
            ? hz * warp
            : nyquistHz - ((nyquistHz - (boundary * warp)) / (nyquistHz - boundary) * (nyquistHz - hz));
    }

    /// <summary>HTK mel of a frequency.</summary>
    public static double HzToMel(double hz) => 2595.0 * Math.Log10(1.0 + (hz / 700.0));

    /// <summary>Frequency of an HTK mel value.</summary>
    public static double MelToHz(double mel) => 700.0 * (Math.Pow(10.0, mel / 2595.0) - 1.0);

    /// <summary>Filter energies of a power spectrum of N/2+1 bins.</summary>
    public void Apply(ReadOnlySpan<float> power, Span<float> energies)
    {
        if (power.Length != _bins || energies.Length < Bands)
        {
            throw new
                ArgumentException($"Expected {_bins} spectrum bins and room for {Bands} energies, got {power.Length} "
                    + $"and {energies.Length}.");
        }

        for (var band = 0; band < Bands; band++)
        {
            var row = _weights.AsSpan(band * _bins, _bins);
            var sum = 0f;
            for (var bin = 0; bin < _bins; bin++)
            {
                sum += row[bin] * power[bin];
            }

            energies[band] = sum;
        }
    }
}
