using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Edge.Domain.Audio;
using Edge.Domain.Data;

namespace Edge.Trainer.Speech;

/// <summary>
/// Extra training speakers for the spoken-digit task: every espeak-ng voice variant speaks the ten digits at two
/// pitches, each variant in one of the English accents (taken in turn), so a recogniser trained on a handful of real
/// voices also sees a hundred synthetic ones. The WAVs and a manifest in the FSDD format are written once into a
/// cache folder named after the synthesiser version and reused; the manifest is written last, so an interrupted
/// run resumes where it stopped.
/// </summary>
public static partial class SyntheticDigitSpeakers
{
    /// <summary>Bumped whenever the plan below changes, so an old cache is not mistaken for the new one.</summary>
    public const int PlanVersion = 1;

    /// <summary>Speaking rate of every recording (espeak-ng's default is 175).</summary>
    public const int WordsPerMinute = 170;

    /// <summary>The digits as spoken in the Free Spoken Digit Dataset.</summary>
    public static IReadOnlyList<string> Words { get; } = ["zero", "one", "two", "three", "four", "five", "six", "seven",
        "eight", "nine"];

    /// <summary>Base pitches each voice speaks at (recording index 0, 1, …).</summary>
    public static IReadOnlyList<int> Pitches { get; } = [30, 70];

    /// <summary>One synthetic speaker per variant, the accents assigned in turn: <c>accent+variant</c>.</summary>
    public static IReadOnlyList<string> Voices(IReadOnlyList<string> accents, IReadOnlyList<string> variants)
    {
        ArgumentNullException.ThrowIfNull(accents);
        ArgumentNullException.ThrowIfNull(variants);
        if (accents.Count == 0 || variants.Count == 0)
        {
            throw new
                SpeechSynthesisException($"espeak-ng lists {accents.Count} English accents and {variants.Count} voice "
                    + "variants; synthetic speakers need at least one of each (is espeak-ng-data complete?).");
        }

        var voices = new string[variants.Count];
        for (var v = 0; v < variants.Count; v++)
        {
            voices[v] = $"{accents[v % accents.Count]}+{variants[v]}";
        }

        return voices;
    }

    /// <summary>
    /// Makes sure the synthetic recordings exist under <paramref name="cacheRoot"/> and returns their manifest
    /// (<c>file,digit,speaker,index,split</c>, loadable with <see cref="FsddDataset.Load(string, AudioFeatureOptions,
    /// int?)"/>).
    /// </summary>
    /// <param name="cacheRoot">Folder holding one sub-folder per synthesiser version and plan.</param>
    /// <param name="espeak">The synthesiser.</param>
    /// <param name="maxVoices">Use only the first this many voices (a reduced set for tests), or all if null.</param>
    /// <param name="threads">Synthesiser processes run at once.</param>
    /// <param name="progress">Fraction of the recordings present.</param>
    public static string Ensure(string cacheRoot, EspeakNg espeak, int? maxVoices = null,
        int threads = 2, IProgress<double>? progress = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(cacheRoot);
        ArgumentNullException.ThrowIfNull(espeak);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        var voices = Voices(espeak.EnglishAccents(), espeak.Variants());
        if (maxVoices is { } max)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(max, 1, nameof(maxVoices));
            voices = [.. voices.Take(max)];
        }

        var folder = Path.Combine(cacheRoot,
            $"espeak-ng-{VersionNumber(espeak.Version())}-plan{PlanVersion}-{voices.Count}-voices");
        var manifest = Path.Combine(folder, "manifest.csv");
        if (File.Exists(manifest))
        {
            return manifest;
        }

        Directory.CreateDirectory(Path.Combine(folder, "recordings"));
        var rows = new List<(string File, int Digit, string Voice, int Index)>();
        foreach (var voice in voices)
        {
            for (var digit = 0; digit < Words.Count; digit++)
            {
                for (var index = 0; index < Pitches.Count; index++)
                {
                    rows.Add(($"recordings/{digit}_{voice}_{index}.wav", digit, voice, index));
                }
            }
        }

        var done = 0;
        try
        {
            Parallel.ForEach(rows, new ParallelOptions { MaxDegreeOfParallelism = threads }, row =>
            {
                var path = Path.Combine(folder, row.File);
                if (!File.Exists(path))
                {
                    // Written under a temporary name and renamed, so a killed run never leaves half a WAV behind.
                    var partial = path + ".partial";
                    espeak.Speak(row.Voice, Pitches[row.Index], WordsPerMinute, Words[row.Digit], partial);
                    File.Move(partial, path, overwrite: true);
                }

                progress?.Report((double)Interlocked.Increment(ref done) / rows.Count);
            });
        }
        catch (AggregateException error) when (error.InnerExceptions[0] is SpeechSynthesisException first)
        {
            throw first;
        }

        var text = new StringBuilder("file,digit,speaker,index,split\n");
        foreach (var row in rows)
        {
            text.Append(CultureInfo.InvariantCulture, $"{row.File},{row.Digit},{row.Voice},{row.Index},train\n");
        }

        File.WriteAllText(manifest + ".partial", text.ToString());
        File.Move(manifest + ".partial", manifest, overwrite: true);
        return manifest;
    }

    /// <summary>The version number in espeak-ng's version line (<c>1.51</c>), or "unknown".</summary>
    internal static string VersionNumber(string versionLine)
    {
        var match = Number().Match(versionLine);
        return match.Success ? match.Value : "unknown";
    }

    [GeneratedRegex(@"\d+(\.\d+)+")]
    private static partial Regex Number();
}
