using System.Text.RegularExpressions;

namespace Edge.Tests.Fuzzing;

/// <summary>An input that crashed or hung a decoder, kept so it can be replayed.</summary>
/// <param name="Index">Which input of the run (with the run's seed, the same input is generated again).</param>
/// <param name="Problem">Exception type and message, or the hang.</param>
/// <param name="Input">The input bytes.</param>
internal sealed record FuzzFinding(int Index, string Problem, byte[] Input);

/// <summary>What fuzzing one decoder found: accepted, refused (by type and message class), crashes and hangs.</summary>
internal sealed partial class FuzzResult(string decoder)
{
    private const int MaxClasses = 200;
    private const int MaxExamples = 5;
    private readonly Lock _gate = new();

    /// <summary>The decoder's name.</summary>
    public string Decoder { get; } = decoder;

    /// <summary>Inputs run to the end.</summary>
    public int Inputs { get; private set; }

    /// <summary>Inputs the decoder accepted.</summary>
    public int Accepted { get; private set; }

    /// <summary>Inputs refused with a documented refusal.</summary>
    public int Refused { get; private set; }

    /// <summary>Inputs that raised any other exception.</summary>
    public int Crashes { get; private set; }

    /// <summary>Inputs that took longer than the watchdog limit.</summary>
    public int Hangs { get; private set; }

    /// <summary>Refusals by exception type.</summary>
    public SortedDictionary<string, int> RefusalsByType { get; } = new(StringComparer.Ordinal);

    /// <summary>Refusals by message class (the first words, numbers and quoted values blanked).</summary>
    public Dictionary<string, int> RefusalClasses { get; } = new(StringComparer.Ordinal);

    /// <summary>Crashes by exception type and message class.</summary>
    public SortedDictionary<string, int> CrashClasses { get; } = new(StringComparer.Ordinal);

    /// <summary>The first few crashing and hanging inputs.</summary>
    public List<FuzzFinding> Findings { get; } = [];

    /// <summary>Longest time one input took, in milliseconds.</summary>
    public double SlowestMs { get; private set; }

    /// <summary>Wall time of the run, in seconds.</summary>
    public double Seconds { get; set; }

    /// <summary>True when a hang did not end and the rest of the inputs were abandoned.</summary>
    public bool Abandoned { get; set; }

    /// <summary>The class of <paramref name="message"/>: its first words, with numbers and quotes blanked.</summary>
    public static string ClassOf(string message)
    {
        var blanked = Numbers().Replace(Quoted().Replace(message, "'…'"), "#");
        var words = blanked.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return string.Join(' ', words.Take(7));
    }

    public void Accept(double milliseconds) => Record(milliseconds, () => Accepted++);

    public void Refuse(string type, string message, double milliseconds) => Record(milliseconds, () =>
    {
        Refused++;
        Count(RefusalsByType, type);
        var key = ClassOf(message);
        var known = RefusalClasses.Count < MaxClasses || RefusalClasses.ContainsKey(key);
        Count(RefusalClasses, known ? key : "(other classes)");
    });

    public void Crash(int index, Exception exception, byte[] input, double milliseconds) => Record(milliseconds, () =>
    {
        Crashes++;
        Count(CrashClasses, $"{exception.GetType().Name}: {ClassOf(exception.Message)}");
        if (Findings.Count < MaxExamples)
        {
            var problem = $"{exception.GetType().FullName}: {exception.Message}\n{exception.StackTrace}";
            Findings.Add(new FuzzFinding(index, problem, input));
        }
    });

    /// <summary>Inputs past the limit once but within it when run again alone (the machine stalled).</summary>
    public int Stalls { get; private set; }

    /// <summary>Records a confirmed hang: the input is slow every time, or never returned.</summary>
    public void Hang(int index, string problem, byte[] input)
    {
        lock (_gate)
        {
            Hangs++;
            if (Findings.Count < MaxExamples)
            {
                Findings.Add(new FuzzFinding(index, "hang: " + problem, input));
            }
        }
    }

    /// <summary>Records an input that was slow once but not when run again.</summary>
    public void Stall()
    {
        lock (_gate)
        {
            Stalls++;
        }
    }

    private static void Count<TDictionary>(TDictionary counts, string key)
        where TDictionary : IDictionary<string, int>
        => counts[key] = counts.TryGetValue(key, out var n) ? n + 1 : 1;

    private void Record(double milliseconds, Action count)
    {
        lock (_gate)
        {
            Inputs++;
            SlowestMs = Math.Max(SlowestMs, milliseconds);
            count();
        }
    }

    [GeneratedRegex("'[^']*'|\"[^\"]*\"")]
    private static partial Regex Quoted();

    [GeneratedRegex("0x[0-9A-Fa-f]+|[0-9]+")]
    private static partial Regex Numbers();
}
