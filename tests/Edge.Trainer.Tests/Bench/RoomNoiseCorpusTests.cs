using Edge.Trainer.Bench;

namespace Edge.Trainer.Tests.Bench;

/// <summary><see cref="RoomNoise.ForCorpus"/>: the room every recording of a corpus is heard in.</summary>
public sealed class RoomNoiseCorpusTests
{
    // Recording t is a click at sample t only, so a word's babble says by where it is non-zero whose words were summed;
    // the word itself is a click at sample 6, where no talker sounds.
    private static readonly float[][] Samples = [.. Enumerable.Range(0, 6).Select(Click)];
    private static readonly string[] Speakers = ["ann", "ann", "bob", "bob", "cy", "cy"];

    [Fact]
    public void Babble_for_a_word_is_only_other_speakers_and_the_same_on_a_rerun()
    {
        var mixer = RoomNoise.ForCorpus(NoiseKind.Babble, 0, seed: 7, Samples, Speakers);
        var speech = Click(6);
        for (var i = 0; i < Samples.Length; i++)
        {
            var first = new float[7];
            var again = new float[7];
            mixer(i, speech, first);
            mixer(i, speech, again);

            Assert.Equal(first, again);
            Assert.Equal(1, first[6]);
            for (var t = 0; t < Samples.Length; t++)
            {
                Assert.True(Speakers[t] != Speakers[i] || first[t] == 0, $"word {i} heard its own speaker's word {t}");
            }

            Assert.True(first[..6].Count(v => v > 0) >= 1, $"word {i} heard no babble");
        }
    }

    [Fact]
    public void Babble_from_another_pool_is_only_that_pool_s_other_speakers()
    {
        string[] heard = ["bob", "cy"];
        var mixer = RoomNoise.ForRecordings(NoiseKind.Babble, 0, seed: 7, heard, Samples, Speakers);
        for (var i = 0; i < heard.Length; i++)
        {
            var mixed = new float[7];
            mixer(i, Click(6), mixed);

            for (var t = 0; t < Samples.Length; t++)
            {
                Assert.True(Speakers[t] != heard[i] || mixed[t] == 0, $"{heard[i]} heard their own word {t}");
            }

            Assert.True(mixed[..6].Count(v => v > 0) >= 1, $"word {i} heard no babble");
        }
    }

    [Fact]
    public void White_noise_differs_between_words_and_repeats_for_the_same_word()
    {
        var mixer = RoomNoise.ForCorpus(NoiseKind.White, 10, seed: 3, Samples, Speakers);
        var speech = Enumerable.Range(0, 64).Select(n => MathF.Sin(n)).ToArray();
        var a = new float[64];
        var b = new float[64];
        var c = new float[64];

        mixer(0, speech, a);
        mixer(0, speech, b);
        mixer(1, speech, c);

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Babble_needs_another_speaker_and_one_speaker_per_recording()
    {
        var alone = Assert.Throws<ArgumentException>(
            () => RoomNoise.ForCorpus(NoiseKind.Babble, 10, 1, Samples, ["ann", "ann", "ann", "ann", "ann", "ann"]));
        Assert.Contains("at least two speakers", alone.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => RoomNoise.ForCorpus(NoiseKind.Babble, 10, 1, Samples, ["ann", "bob"]));
    }

    private static float[] Click(int at)
    {
        var samples = new float[7];
        samples[at] = 1;
        return samples;
    }
}
