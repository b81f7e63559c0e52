using System.ComponentModel;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Edge.Trainer.Speech;

/// <summary>The espeak-ng speech synthesiser could not run or failed; the message says why and how to fix it.</summary>
public sealed class SpeechSynthesisException : InvalidOperationException
{
    /// <summary>Creates the exception with a message naming the problem.</summary>
    public SpeechSynthesisException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the underlying cause.</summary>
    public SpeechSynthesisException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception without a message (prefer the other constructors).</summary>
    public SpeechSynthesisException()
        : base("Speech synthesis failed.")
    {
    }
}

/// <summary>
/// The espeak-ng command-line synthesiser (Debian package <c>espeak-ng</c>): its version, its English accents and
/// voice variants, and WAV files of spoken text. Formant synthesis is deterministic and needs no model download.
/// </summary>
public sealed partial class EspeakNg
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>Uses <paramref name="executable"/> (a name on PATH or a path).</summary>
    public EspeakNg(string executable = "espeak-ng")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(executable);
        Executable = executable;
    }

    /// <summary>The synthesiser program.</summary>
    public string Executable { get; }

    /// <summary>The version line espeak-ng prints (e.g. "eSpeak NG text-to-speech: 1.51 …"), first line only.</summary>
    public string Version() => Run(["--version"]).Split('\n')[0].Trim();

    /// <summary>
    /// The built-in English accents (<c>en-us</c>, <c>en-gb-scotland</c>, …), sorted: voices of the gmw family only,
    /// not MBROLA voices, which need a separate program and voice data.
    /// </summary>
    public IReadOnlyList<string> EnglishAccents() => ParseVoiceList(Run(["--voices=en"]), "gmw/", useLanguage: true);

    /// <summary>The voice variants (<c>m1</c>, <c>f3</c>, <c>klatt</c>, …) that change pitch, formants and voice
    /// quality, sorted.</summary>
    public IReadOnlyList<string> Variants() => ParseVoiceList(Run(["--voices=variant"]), "!v/", useLanguage: false);

    /// <summary>Speaks <paramref name="text"/> into the WAV file <paramref name="path"/>.</summary>
    /// <param name="voice">Accent and variant, e.g. <c>en-us+m3</c>.</param>
    /// <param name="pitch">Base pitch 0–99 (espeak-ng's default is 50).</param>
    /// <param name="wordsPerMinute">Speaking rate, 80–450.</param>
    /// <param name="text">What to say.</param>
    /// <param name="path">Output WAV file.</param>
    public void Speak(string voice, int pitch, int wordsPerMinute, string text, string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(voice);
        ArgumentOutOfRangeException.ThrowIfNegative(pitch);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pitch, 99);
        ArgumentOutOfRangeException.ThrowIfLessThan(wordsPerMinute, 80);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(wordsPerMinute, 450);
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Run(["-v", voice, "-p", Invariant(pitch), "-s", Invariant(wordsPerMinute), "-w", path, text]);
        if (!File.Exists(path) || new FileInfo(path).Length <= 44)
        {
            throw new SpeechSynthesisException($"espeak-ng wrote no audio for '{text}' in voice '{voice}' to {path}.");
        }
    }

    /// <summary>Names from an <c>espeak-ng --voices=…</c> listing whose file column starts with <paramref
    /// name="filePrefix"/>.</summary>
    internal static IReadOnlyList<string> ParseVoiceList(string listing, string filePrefix, bool useLanguage)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var line in listing.Split('\n'))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var at = Array.FindIndex(fields, f => f.StartsWith(filePrefix, StringComparison.Ordinal));
            if (fields.Length < 5 || at < 0)
            {
                continue;
            }

            // A file name may hold spaces ("!v/Mr serious"): it runs up to the "(other languages)" column.
            var end = Array.FindIndex(fields, at + 1, f => f.StartsWith('('));
            var file = string.Join(' ', fields[at..(end < 0 ? fields.Length : end)]);
            var name = useLanguage ? fields[1] : file[filePrefix.Length..];
            if (VoiceName().IsMatch(name))
            {
                names.Add(name);
            }
        }

        return [.. names];
    }

    private static string Invariant(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    // Names end up on a command line and in folder names: letters, digits, '-' and '_' only.
    [GeneratedRegex("^[A-Za-z0-9_-]+$")]
    private static partial Regex VoiceName();

    private string Run(IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception error)
        {
            throw new
                SpeechSynthesisException($"Cannot start the speech synthesiser '{Executable}': {error.Message}. "
                    + "Install it with 'apt-get install espeak-ng'.", error);
        }

        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new
                SpeechSynthesisException($"'{Executable} {string.Join(' ', arguments)}' did not finish within "
                    + $"{Timeout.TotalSeconds} s.");
        }

        var errorText = errors.GetAwaiter().GetResult().Trim();
        if (process.ExitCode != 0)
        {
            throw new
                SpeechSynthesisException($"'{Executable} {string.Join(' ', arguments)}' exited with code "
                    + $"{process.ExitCode}: {(errorText.Length > 0 ? errorText : "no error text")}.");
        }

        return output.GetAwaiter().GetResult();
    }
}
