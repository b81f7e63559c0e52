namespace Edge.Domain.Audio;

/// <summary>
/// One utterance in, one feature vector out: resample to the feature rate, stream through
/// <see cref="FrameFeatureStream"/>, trim and pool with <see cref="UtteranceEncoder"/>. Reuses its buffers, so one
/// instance per thread.
/// </summary>
public sealed class AudioFrontEnd
{
    private readonly FrameFeatureStream _stream;
    private Resampler? _resampler;

    /// <summary>Creates the front end; invalid options raise an <see cref="ArgumentException"/> naming the
    /// setting.</summary>
    public AudioFrontEnd(AudioFeatureOptions options)
        : this(options, frequencyWarp: 1)
    {
    }

    /// <summary>
    /// Creates the front end with its mel filters warped by <paramref name="frequencyWarp"/> (training-time
    /// vocal-tract-length perturbation, <see cref="MelFilterbank.WarpHz"/>); agents use 1.
    /// </summary>
    public AudioFrontEnd(AudioFeatureOptions options, double frequencyWarp)
    {
        Options = options ?? throw new ArgumentNullException(nameof(options));
        _stream = new FrameFeatureStream(options, frequencyWarp);
    }

    /// <summary>The feature settings.</summary>
    public AudioFeatureOptions Options { get; }

    /// <summary>The frames of the utterance being streamed.</summary>
    public FeatureFrames Frames => _stream.Frames;

    /// <summary>Feature vector of a WAV file; unreadable files raise <see cref="WavFormatException"/> naming the
    /// problem.</summary>
    public float[] EncodeFile(string path)
    {
        var audio = WavReader.Read(path);
        var vector = new float[Options.VectorLength];
        try
        {
            Encode(audio.Samples, audio.SampleRate, vector);
        }
        catch (ArgumentException error)
        {
            throw new WavFormatException($"{path}: {error.Message}", error);
        }

        return vector;
    }

    /// <summary>Feature vector of mono samples at <paramref name="sampleRate"/>.</summary>
    public void Encode(ReadOnlySpan<float> samples, int sampleRate, Span<float> vector)
    {
        BeginUtterance(sampleRate);
        Push(samples);
        EndUtterance(vector);
    }

    /// <summary>Starts an utterance whose samples arrive at <paramref name="sampleRate"/>.</summary>
    public void BeginUtterance(int sampleRate)
    {
        _stream.Reset();
        _resampler = sampleRate == Options.SampleRate
            ? null
            : _resampler is { } r && r.InputRate == sampleRate ? r : new Resampler(sampleRate, Options.SampleRate);
    }

    /// <summary>Pushes a block of the current utterance.</summary>
    public void Push(ReadOnlySpan<float> samples)
        => _stream.Push(_resampler is null ? samples : _resampler.Push(samples));

    /// <summary>Ends the utterance and writes its vector.</summary>
    public void EndUtterance(Span<float> vector)
    {
        if (_resampler is not null)
        {
            _stream.Push(_resampler.Flush());
        }

        UtteranceEncoder.Encode(_stream.Frames, Options, vector);
    }
}
