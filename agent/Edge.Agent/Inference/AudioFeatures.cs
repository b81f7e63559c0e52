using Edge.Domain.Audio;
using Edge.Domain.Models;

namespace Edge.Agent.Inference;

/// <summary>
/// Turns sound into a model's features as its package describes (<see cref="AudioInputEncoding"/>): the audio front end
/// (resampling, framing, MFCC, per-utterance normalisation, trimming, pooling), then standardisation: with the training
/// split's statistics, or, when the package asks for it, with running statistics of this device's recent utterances
/// (<see cref="DeviceFeatureStatistics"/>). Files, the watched folder, MQTT requests and <c>listen</c> all come through
/// here. One instance per model; calls are serialised because the front end reuses its buffers and the running
/// statistics depend on the order utterances arrive in. The running statistics live in memory only: a new instance
/// (an agent restart, a new model, each <c>classify</c> run) starts from the training statistics again.
/// </summary>
public sealed class AudioFeatures
{
    private readonly AudioFrontEnd _frontEnd;
    private readonly float[] _mean;
    private readonly float[] _scale;
    private readonly DeviceFeatureStatistics? _device;
    private readonly Lock _gate = new();

    /// <summary>Creates the encoder for <paramref name="encoding"/>.</summary>
    public AudioFeatures(AudioInputEncoding encoding)
    {
        ArgumentNullException.ThrowIfNull(encoding);
        var options = encoding.ToOptions();
        _frontEnd = new AudioFrontEnd(options);
        _mean = [.. encoding.Mean];
        _scale = [.. encoding.Scale];
        _device = options.DeviceStatisticsWindow > 0
            ? new DeviceFeatureStatistics(_mean, _scale, options.DeviceStatisticsWindow, options.DeviceStatisticsWarmUp)
            : null;
    }

    /// <summary>The running device statistics, or null when the package standardises with fixed ones.</summary>
    public DeviceFeatureStatistics? DeviceStatistics => _device;

    /// <summary>Features per utterance.</summary>
    public int Size => _mean.Length;

    /// <summary>Rate the front end works at.</summary>
    public int SampleRate => _frontEnd.Options.SampleRate;

    /// <summary>Features of a WAV file; an unreadable or unsupported file raises <see cref="WavFormatException"/>
    /// naming it and the problem.</summary>
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

            if (_device is not null)
            {
                // The utterance joins the statistics before it is standardised: causal, and a lone word is not
                // judged only by earlier ones.
                _device.Observe(features);
                _device.Standardise(features);
                return features;
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
