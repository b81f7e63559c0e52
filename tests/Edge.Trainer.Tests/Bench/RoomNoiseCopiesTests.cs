using Edge.Domain.Audio;
using Edge.Domain.Data;
using Edge.Trainer.Bench;

namespace Edge.Trainer.Tests.Bench;

/// <summary>
/// <see cref="RoomNoiseCopies"/>: training copies of FSDD words in room noise, mixed by <see cref="RoomNoise"/> and
/// encoded by the shipped front end.
/// </summary>
public sealed class RoomNoiseCopiesTests
{
    private static readonly AudioFeatureOptions Options = new();
    private static readonly string Folder = Path.GetDirectoryName(DataPaths.File("fsdd", "manifest.csv"))!;

    // Three real words as the recordings, three of another speaker's as the babble's talkers.
    private static readonly FsddRecording[] Words = [.. Enumerable.Range(0, 3).Select(i => Word("george", i))];
    private static readonly FsddRecording[] Others = [.. Enumerable.Range(0, 3).Select(i => Word("jackson", i))];

    [Fact]
    public void A_copy_is_the_same_on_a_rerun_differs_from_the_clean_words_and_from_another_copy()
    {
        var talkers = Talkers();

        var first = RoomNoiseCopies.Encode(Words, Folder, Options, talkers, copy: 0);
        var again = RoomNoiseCopies.Encode(Words, Folder, Options, talkers, copy: 0);
        var second = RoomNoiseCopies.Encode(Words, Folder, Options, talkers, copy: 1, speakerSuffix: "~noise2");

        for (var i = 0; i < Words.Length; i++)
        {
            Assert.Equal(first[i].Features, again[i].Features);
            Assert.NotEqual(Words[i].Features, first[i].Features);
            Assert.NotEqual(first[i].Features, second[i].Features);
            Assert.Equal((Words[i].File, Words[i].Digit, "george"), (first[i].File, first[i].Digit, first[i].Speaker));
            Assert.Equal("george~noise2", second[i].Speaker);
        }
    }

    [Fact]
    public void A_missing_word_is_named()
    {
        FsddRecording[] missing = [Words[0] with { File = "recordings/none.wav" }];

        var error = Assert.Throws<InvalidDataException>(
            () => RoomNoiseCopies.Encode(missing, Folder, Options, Talkers(), copy: 0));

        Assert.Contains("recordings/none.wav", error.Message, StringComparison.Ordinal);
    }

    private static (IReadOnlyList<float[]>, IReadOnlyList<string>) Talkers() => (
        [.. Others.Concat(Words).Select(w => WavReader.Read(Path.Combine(Folder, w.File)).Samples)],
        [.. Others.Concat(Words).Select(w => w.Speaker)]);

    private static FsddRecording Word(string speaker, int digit)
    {
        var file = $"recordings/{digit}_{speaker}_0.wav";
        return new FsddRecording(file, digit, speaker, 0, new AudioFrontEnd(Options).EncodeFile(
            Path.Combine(Folder, file)));
    }
}
