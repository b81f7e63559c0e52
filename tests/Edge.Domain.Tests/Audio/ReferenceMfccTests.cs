using System.Text.Json;
using Edge.Domain.Audio;

namespace Edge.Domain.Tests.Audio;

/// <summary>
/// The front end against aubio 0.4.9's values for the same signal (Audio/Reference/aubio-mfcc-vectors.json, made once
/// by make_aubio_vectors.py beside it, whose docstring gives the exact calls): mel filters, log-mel energies and MFCCs
/// of every frame. Edge is configured to aubio's definition — periodic Hann window, power spectrum, HTK mel triangles
/// of peak 1, natural log, orthonormal DCT-II — with pre-emphasis off, which is the only step aubio has not.
/// </summary>
public sealed class ReferenceMfccTests
{
    // aubio computes in float32; the generator rounds to 6 decimals. Measured agreement is about 1e-5.
    private const double LogTolerance = 2e-4;
    private const double FilterTolerance = 1e-5;

    private static readonly Lazy<Reference> Vectors = new(Reference.Load);

    [Fact]
    public void Mel_filters_match_aubio_htk_filters_without_normalisation()
    {
        var reference = Vectors.Value;
        var options = reference.Options(preEmphasis: 0);
        var bank = new MelFilterbank(
            options.MelBands, options.FftSize, options.SampleRate, options.MelLowHz, options.MelHighHz);
        for (var band = 0; band < options.MelBands; band++)
        {
            for (var bin = 0; bin <= options.FftSize / 2; bin++)
            {
                Assert.True(
                    Math.Abs(bank.Weight(band, bin) - reference.Filters[band][bin]) <= FilterTolerance,
                    $"band {band} bin {bin}: Edge {bank.Weight(band, bin)}, aubio {reference.Filters[band][bin]}");
            }
        }
    }

    [Fact]
    public void Log_mel_energies_and_mfccs_of_every_frame_match_aubio()
    {
        var reference = Vectors.Value;
        var (logMelError, mfccError) = LargestErrors(reference, reference.Options(preEmphasis: 0));

        Assert.True(logMelError <= LogTolerance, $"largest log-mel difference {logMelError}");
        Assert.True(mfccError <= LogTolerance, $"largest MFCC difference {mfccError}");
    }

    [Fact]
    public void A_front_end_that_departs_from_the_reference_is_caught()
    {
        // Pre-emphasis is the one step aubio lacks: switched on, the comparison misses by far more than the tolerance.
        var reference = Vectors.Value;
        var (logMelError, mfccError) = LargestErrors(reference, reference.Options(preEmphasis: 0.97f));

        Assert.True(logMelError > 100 * LogTolerance, $"largest log-mel difference {logMelError}");
        Assert.True(mfccError > 100 * LogTolerance, $"largest MFCC difference {mfccError}");
    }

    private static (double LogMel, double Mfcc) LargestErrors(Reference reference, AudioFeatureOptions options)
    {
        var stream = new FrameFeatureStream(options);
        var samples = reference.Pcm16.Select(v => v / 32768f).ToArray();
        stream.Push(samples);
        Assert.Equal(reference.LogMel.Length, stream.Frames.Count);
        double logMelError = 0, mfccError = 0;
        for (var frame = 0; frame < stream.Frames.Count; frame++)
        {
            var logMel = stream.Frames.LogMel(frame);
            var mfcc = stream.Frames.Mfcc(frame);
            for (var b = 0; b < logMel.Length; b++)
            {
                logMelError = Math.Max(logMelError, Math.Abs(logMel[b] - reference.LogMel[frame][b]));
            }

            for (var c = 0; c < mfcc.Length; c++)
            {
                mfccError = Math.Max(mfccError, Math.Abs(mfcc[c] - reference.Mfcc[frame][c]));
            }
        }

        return (logMelError, mfccError);
    }

    private sealed record Reference(
        int SampleRate,
        int FrameLength,
        int HopLength,
        int MelBands,
        int Coefficients,
        double MelLowHz,
        double MelHighHz,
        int[] Pcm16,
        double[][] Filters,
        double[][] LogMel,
        double[][] Mfcc)
    {
        public static Reference Load()
        {
            var path = Path.Combine(AppContext.BaseDirectory, "Audio", "Reference", "aubio-mfcc-vectors.json");
            var options = new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
            return JsonSerializer.Deserialize<Reference>(File.ReadAllText(path), options)
                ?? throw new InvalidDataException($"{path} holds no reference vectors.");
        }

        public AudioFeatureOptions Options(float preEmphasis) => new()
        {
            SampleRate = SampleRate,
            FrameLength = FrameLength,
            HopLength = HopLength,
            FftSize = FrameLength,
            MelBands = MelBands,
            MelLowHz = MelLowHz,
            MelHighHz = MelHighHz,
            CepstralCoefficients = Coefficients,
            PreEmphasis = preEmphasis,
        };
    }
}
