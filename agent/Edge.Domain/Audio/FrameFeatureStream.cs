namespace Edge.Domain.Audio;

/// <summary>
/// The streaming front end: push blocks of mono samples at the feature rate, and each complete frame (pre-emphasis,
/// Hann window, power spectrum, log-mel, DCT-II MFCC) is appended to <see cref="Frames"/>. Files, a watched folder and
/// live capture all go through this one path.
/// </summary>
public sealed class FrameFeatureStream
{
    private const float LogFloor = 1e-10f;

    private readonly AudioFeatureOptions _options;
    private readonly Fft _fft;
    private readonly MelFilterbank _mel;
    private readonly float[] _window;
    private readonly float[] _dct;
    private readonly float[] _pending;
    private readonly float[] _frame;
    private readonly float[] _real;
    private readonly float[] _imaginary;
    private readonly float[] _power;
    private readonly float[] _energies;
    private int _pendingCount;
    private float _previousSample;

    /// <summary>Creates the stream; invalid options raise an <see cref="ArgumentException"/> naming the
    /// setting.</summary>
    public FrameFeatureStream(AudioFeatureOptions options)
        : this(options, frequencyWarp: 1)
    {
    }

    /// <summary>
    /// Creates the stream with its mel filters warped by <paramref name="frequencyWarp"/> (<see
    /// cref="MelFilterbank.WarpHz"/>): training-time vocal-tract-length perturbation; agents use 1.
    /// </summary>
    public FrameFeatureStream(AudioFeatureOptions options, double frequencyWarp)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _fft = new Fft(options.FftSize);
        _mel = new MelFilterbank(options.MelBands, options.FftSize, options.SampleRate, options.MelLowHz,
            options.MelHighHz, frequencyWarp);
        _window = new float[options.FrameLength];
        for (var n = 0; n < _window.Length; n++)
        {
            _window[n] = (float)(0.5 - (0.5 * Math.Cos(2 * Math.PI * n / options.FrameLength)));
        }

        _dct = Mfcc.DctMatrix(options.MelBands, options.CepstralCoefficients);
        _pending = new float[options.FrameLength];
        _frame = new float[options.FrameLength];
        _real = new float[options.FftSize];
        _imaginary = new float[options.FftSize];
        _power = new float[(options.FftSize / 2) + 1];
        _energies = new float[options.MelBands];
        Frames = new FeatureFrames(options.MelBands, options.CepstralCoefficients);
    }

    /// <summary>Frames computed so far.</summary>
    public FeatureFrames Frames { get; }

    /// <summary>Pushes samples; every frame they complete is computed.</summary>
    public void Push(ReadOnlySpan<float> samples)
    {
        var hop = _options.HopLength;
        var length = _options.FrameLength;
        var alpha = _options.PreEmphasis;
        foreach (var sample in samples)
        {
            if (!float.IsFinite(sample))
            {
                throw new ArgumentException("Audio samples must be finite numbers.", nameof(samples));
            }

            _pending[_pendingCount++] = sample - (alpha * _previousSample);
            _previousSample = sample;
            if (_pendingCount == length)
            {
                ComputeFrame();
                _pending.AsSpan(hop, length - hop).CopyTo(_pending);
                _pendingCount = length - hop;
            }
        }
    }

    /// <summary>Forgets all frames and pending samples, ready for the next utterance.</summary>
    public void Reset()
    {
        _pendingCount = 0;
        _previousSample = 0;
        Frames.Clear();
    }

    private void ComputeFrame()
    {
        var energy = 0.0;
        for (var n = 0; n < _frame.Length; n++)
        {
            _frame[n] = _pending[n] * _window[n];
            energy += _frame[n] * _frame[n];
        }

        _fft.PowerSpectrum(_frame, _power, _real, _imaginary);
        _mel.Apply(_power, _energies);
        for (var b = 0; b < _energies.Length; b++)
        {
            _energies[b] = MathF.Log(Math.Max(_energies[b], LogFloor));
        }

        Span<float> cepstrum = stackalloc float[_options.CepstralCoefficients];
        Mfcc.Apply(_dct, _energies, cepstrum);
        Frames.Add(_energies, cepstrum, (float)(10 * Math.Log10(Math.Max(energy, 1e-20))));
    }
}
