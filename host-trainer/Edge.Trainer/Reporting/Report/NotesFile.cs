using System.Text.RegularExpressions;

namespace Edge.Trainer.Reporting.Report;

/// <summary>
/// The hand-written notes the report includes: text before the first marker is the introduction; each
/// <c>&lt;!-- section: KEY --&gt;</c> line starts a note that goes under the generated section with that key (a result
/// file's name without <c>.json</c>, or <c>accuracy</c>, <c>machines</c>, <c>benchmarkdotnet</c>). Notes whose key
/// matches no section are kept at the end of the report, so nothing written by hand is lost.
/// </summary>
public sealed partial class NotesFile
{
    private readonly List<KeyValuePair<string, string>> sections;
    private readonly HashSet<string> used = new(StringComparer.Ordinal);

    private NotesFile(string introduction, List<KeyValuePair<string, string>> sections)
    {
        Introduction = introduction;
        this.sections = sections;
    }

    /// <summary>Text before the first section marker.</summary>
    public string Introduction { get; }

    /// <summary>Parses notes text; <paramref name="name"/> names the file in errors (a key given twice).</summary>
    public static NotesFile Parse(string text, string name)
    {
        ArgumentNullException.ThrowIfNull(text);
        var introduction = new List<string>();
        var sections = new List<KeyValuePair<string, string>>();
        string? key = null;
        var body = new List<string>();
        var lineNumber = 0;
        foreach (var line in text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            lineNumber++;
            var marker = SectionMarker().Match(line);
            if (!marker.Success)
            {
                (key is null ? introduction : body).Add(line);
                continue;
            }

            if (key is not null)
            {
                sections.Add(new(key, Trim(body)));
            }

            key = marker.Groups[1].Value;
            body = [];
            if (sections.Exists(s => s.Key == key))
            {
                throw new
                    BenchDataException($"{name}: line {lineNumber} starts a second note for section '{key}'; merge the "
                        + "two notes.");
            }
        }

        if (key is not null)
        {
            sections.Add(new(key, Trim(body)));
        }

        return new NotesFile(Trim(introduction), sections);
    }

    /// <summary>The note for <paramref name="key"/> (marked as used), or null.</summary>
    public string? Take(string key)
    {
        foreach (var section in sections)
        {
            if (section.Key == key)
            {
                used.Add(key);
                return section.Value;
            }
        }

        return null;
    }

    /// <summary>Notes no section has taken, in file order.</summary>
    public IEnumerable<KeyValuePair<string, string>> Unused() => sections.Where(s => !used.Contains(s.Key));

    private static string Trim(List<string> lines) => string.Join('\n', lines).Trim('\n', ' ');

    [GeneratedRegex(@"^\s*<!--\s*section:\s*([A-Za-z0-9._/-]+)\s*-->\s*$")]
    private static partial Regex SectionMarker();
}
