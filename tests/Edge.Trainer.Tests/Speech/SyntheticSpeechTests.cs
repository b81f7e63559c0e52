using Edge.Domain.Audio;
using Edge.Domain.Data;
using Edge.Trainer.Speech;

namespace Edge.Trainer.Tests.Speech;

public sealed class SyntheticSpeechTests : IDisposable
{
    private const string EnglishListing = """
        Pty Language       Age/Gender VoiceName          File                 Other Languages
         2  en-gb           --/M      English_(Great_Britain) gmw/en               (en 2)
         3  en-uk           --/M      english-mb-en1     mb/mb-en1            (en-gb 3)(en 2)
         2  en-us           --/M      English_(America)  gmw/en-US            (en 3)
         5  en-gb-scotland  --/M      English_(Scotland) gmw/en-GB-scotland   (en 4)
         9  en              --/M      en-greek           mb/mb-gr2-en
        """;

    private const string VariantListing = """
        Pty Language       Age/Gender VoiceName          File                 Other Languages
         5  variant         --/M      Adam               !v/adam
         5  variant         --/M      Mr serious         !v/Mr serious
         5  variant         --/F      f1                 !v/f1
        """;

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "edge-speech-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public void Voice_listings_give_the_built_in_english_accents_and_the_variants_with_safe_names()
    {
        Assert.Equal(["en-gb", "en-gb-scotland", "en-us"],
            EspeakNg.ParseVoiceList(EnglishListing, "gmw/", useLanguage: true));

        // "Mr serious" has a space: it cannot be passed as one '+variant' safely, so it is left out.
        Assert.Equal(["adam", "f1"], EspeakNg.ParseVoiceList(VariantListing, "!v/", useLanguage: false));
        Assert.Equal("1.51",
            SyntheticDigitSpeakers.VersionNumber("eSpeak NG text-to-speech: 1.51  Data at: "
                + "/usr/lib/x86_64-linux-gnu/espeak-ng-data"));
        Assert.Equal("unknown", SyntheticDigitSpeakers.VersionNumber("speak"));
    }

    [Fact]
    public void Every_variant_is_one_speaker_with_the_accents_taken_in_turn()
    {
        var voices = SyntheticDigitSpeakers.Voices(["en-gb", "en-us"], ["adam", "f1", "m3"]);
        Assert.Equal(["en-gb+adam", "en-us+f1", "en-gb+m3"], voices);
        Assert.Contains("at least one of each", Assert.Throws<SpeechSynthesisException>(()
            => SyntheticDigitSpeakers.Voices([], ["adam"])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_synthesiser_is_named_with_its_debian_package()
    {
        var espeak = new EspeakNg(Path.Combine(_folder, "no-such-espeak"));
        var error = Assert.Throws<SpeechSynthesisException>(() => SyntheticDigitSpeakers.Ensure(_folder, espeak));
        Assert.Contains("apt-get install espeak-ng", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Synthesised_digits_load_as_speakers_and_a_second_run_reuses_the_cache_and_resumes_a_partial_one()
    {
        var espeak = RequireEspeak();
        var manifest = SyntheticDigitSpeakers.Ensure(_folder, espeak, maxVoices: 2);

        var options = new AudioFeatureOptions { CepstralCoefficients = 8 };
        var voices = FsddDataset.Load(manifest, options, maxIndex: null);
        Assert.Equal(2 * 10 * SyntheticDigitSpeakers.Pitches.Count, voices.Recordings.Count);
        Assert.Equal(2, voices.Speakers.Count);
        Assert.All(voices.Recordings, r => Assert.All(r.Features, v => Assert.True(float.IsFinite(v))));

        // The two pitches of one word are different recordings, and different words differ more than nothing.
        var two = voices.Recordings.Where(r => r.Digit == 2 && r.Speaker == voices.Speakers[0]).ToList();
        Assert.NotEqual(two[0].Features, two[1].Features);

        // A run killed before its manifest: existing WAVs are kept, the missing one is made again.
        var folder = Path.GetDirectoryName(manifest)!;
        var kept = Path.Combine(folder, "recordings", $"3_{voices.Speakers[0]}_0.wav");
        var lost = Path.Combine(folder, "recordings", $"4_{voices.Speakers[0]}_1.wav");
        var keptTime = File.GetLastWriteTimeUtc(kept);
        File.Delete(manifest);
        File.Delete(lost);
        Assert.Equal(manifest, SyntheticDigitSpeakers.Ensure(_folder, espeak, maxVoices: 2));
        Assert.True(File.Exists(lost));
        Assert.Equal(keptTime, File.GetLastWriteTimeUtc(kept));
        Assert.Empty(Directory.GetFiles(folder, "*.partial", SearchOption.AllDirectories));

        // With the manifest present nothing is synthesised again.
        File.Delete(lost);
        SyntheticDigitSpeakers.Ensure(_folder, espeak, maxVoices: 2);
        Assert.False(File.Exists(lost));
    }

    [Fact]
    public void An_unknown_voice_is_reported_with_the_synthesisers_own_words()
    {
        var espeak = RequireEspeak();
        Directory.CreateDirectory(_folder);
        var error = Assert.Throws<SpeechSynthesisException>(()
            => espeak.Speak("xx-nowhere", 50, 170, "two", Path.Combine(_folder, "two.wav")));
        Assert.Contains("xx-nowhere", error.Message, StringComparison.Ordinal);
    }

    private static EspeakNg RequireEspeak()
    {
        var espeak = new EspeakNg();
        try
        {
            espeak.Version();
            return espeak;
        }
        catch (SpeechSynthesisException)
        {
            const string message = "espeak-ng is not installed (apt-get install espeak-ng; .ci/run does this in CI).";
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                Assert.Fail(message);
            }

            Assert.Skip(message);
            throw;
        }
    }
}
