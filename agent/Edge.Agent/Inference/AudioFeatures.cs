using Edge.Domain.Audio;
using Edge.Domain.Models;

namespace Edge.Agent.Inference;

/// <summary>
/// Turns sound into a model's features as its package describes (<see cref="AudioInputEncoding"/>): the audio front end
/// (resampling, framing, MFCC, trimming, pooling), then standardisation. One instance per model; calls are serialised
/// because the front end reuses its buffers.
/// </summary>
public sealed class AudioFeatures
{
    private readonly AudioFrontEnd _frontEnd;
    private readonly float[] _mean;
    private readonly float[] _scale;
    private readonly Lock _gate = new();

    /// <summary>Creates the encoder for <paramref name="encoding"/>.</summary>
    public AudioFeatures(AudioInputEncoding encoding)
    {
        ArgumentNullException.ThrowIfNull(encoding);
        _frontEnd = new AudioFrontEnd(encoding.ToOptions());
        _mean = [.. encoding.Mean];
        _scale = [.. encoding.Scale];
    }

    /// <summary>Features per utterance.</summary>
    public int Size => _mean.Length;

    /// <summary>Rate the front end works at.</summary>
    public int SampleRate => _frontEnd.Options.SampleRate;

    /// <summary>Features of a WAV file; an unreadable or unsupported file raises <see cref="WavFormatException"/> naming it and the problem.</summary>
    public float[] FromWavFile(string path) => FromWav(ReadFile(path), path);

    /// <summary>Features of WAV bytes named <paramref name="name"/> in errors.</summary>
    public float[] FromWav(ReadOnlySpan<byte> wav, string name)
    {
        var audio = WavReader.Read(wav, name);
        if (audio.Samples.Length == 0)
        {
            throw new WavFormatException($"{name}: the WAV file holds no samples.");
        }

        return FromSamples(audio.Samples, audio.SampleRate, name);
    }

    /// <summary>Features of mono samples in [-1, 1] at <paramref name="sampleRate"/>.</summary>
    public float[] FromSamples(ReadOnlySpan<float> samples, int sampleRate, string name)
    {
        var features = new float[Size];
        lock (_gate)
        {
            try
            {
                _frontEnd.Encode(samples, sampleRate, features);
            }
            catch (ArgumentException e)
            {
                throw new WavFormatException($"{name}: {e.Message}", e);
            }
        }

        for (var i = 0; i < features.Length; i++)
        {
            features[i] = (features[i] - _mean[i]) / _scale[i];
        }

        return features;
    }

    private static byte[] ReadFile(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new WavFormatException($"{path}: cannot be read: {e.Message}", e);
        }
    }
}
