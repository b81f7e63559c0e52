using Edge.Agent.Tests.Inference;
using Edge.Domain.Audio;
using Edge.Domain.Models;

namespace Edge.Agent.Tests.Models;

/// <summary>
/// The manifest carries the audio front end and standardisation of a model that takes sound (since schema 2; every
/// package is now written as schema 4), feature-vector packages carry none, and every inconsistent audio description
/// is refused.
/// </summary>
public sealed class AudioManifestTests(AudioPackages audio, TrainedPackages vowels)
{
    private ModelPackageException Refused(byte[] package)
        => Assert.Throws<ModelPackageException>(() => ModelPackageReader.Read(package, audio.Trust));

    [Fact]
    public void An_audio_package_carries_the_front_end_and_standardisation()
    {
        var manifest = ModelPackageReader.Read(audio.Package(3), audio.Trust).Manifest;

        Assert.Equal(ModelManifest.CurrentSchemaVersion, manifest.SchemaVersion);
        Assert.Equal(ModelInput.AudioMfcc, manifest.Input.Encoding);
        var encoding = Assert.IsType<AudioInputEncoding>(manifest.Input.Audio);
        Assert.Equal(new AudioFeatureOptions(), encoding.ToOptions());
        Assert.Equal(audio.Audio.Mean, encoding.Mean);
        Assert.Equal(audio.Audio.Scale, encoding.Scale);
        Assert.Equal(manifest.Input.Size, encoding.Mean.Count);
    }

    [Fact]
    public void A_feature_vector_package_has_no_audio()
    {
        var manifest = ModelPackageReader.Read(vowels.Package(vowels.Trained, 1), vowels.Trust).Manifest;

        Assert.Equal(ModelInput.FeatureVector, manifest.Input.Encoding);
        Assert.Null(manifest.Input.Audio);
    }

    [Fact]
    public void Inconsistent_audio_descriptions_are_refused_naming_the_field()
    {
        var good = audio.Package(4);
        var legacy = Edit(good, m => m with { SchemaVersion = 1 });
        var error = Assert.Throws<ModelPackageException>(()
            => ModelPackageReader.Read(legacy, audio.Trust, requireTargets: false));
        Assert.Contains("schema version 1 cannot describe 'audio-mfcc'", error.Message, StringComparison.Ordinal);
        Assert.Contains("no 'audio' settings",
            Refused(Edit(good, m => m with { Input = new ModelInput(m.Input.Size, ModelInput.AudioMfcc) })).Message,
                StringComparison.Ordinal);
        Assert.Contains("'input.audio' is only allowed with encoding 'audio-mfcc'",
            Refused(Edit(good, m => m with { Input = m.Input with { Encoding = ModelInput.FeatureVector } })).Message,
                StringComparison.Ordinal);
        Assert.Contains("'input.encoding' 'ogg-vorbis' is unknown",
            Refused(Edit(good, m => m with { Input = m.Input with { Encoding = "ogg-vorbis" } })).Message,
                StringComparison.Ordinal);
        Assert.Contains("'mean' and 'scale' must each hold 91 values",
            Refused(Edit(good, m => m with { Input = m.Input with { Audio = m.Input.Audio! with { Mean =
                [1f, 2f] } } })).Message, StringComparison.Ordinal);
        Assert.Contains("feature 5 has mean",
            Refused(Edit(good, m => m with { Input = m.Input with { Audio = m.Input.Audio! with { Scale =
                [.. m.Input.Audio.Scale.Select((s, i) => i == 5 ? 0f : s)] } } })).Message, StringComparison.Ordinal);
        Assert.Contains("FftSize 100 must be a power of two",
            Refused(Edit(good, m => m with { Input = m.Input with { Audio = m.Input.Audio! with { FftSize =
                100 } } })).Message, StringComparison.Ordinal);
        Assert.Contains("makes 78 features",
            Refused(Edit(good, m => m with { Input = m.Input with { Audio = m.Input.Audio! with { PooledSegments =
                5 } } })).Message, StringComparison.Ordinal);
    }

    private byte[] Edit(byte[] package, Func<ModelManifest, ModelManifest> edit)
        => PackageSurgery.Resign(package, edit, audio.Key);
}
