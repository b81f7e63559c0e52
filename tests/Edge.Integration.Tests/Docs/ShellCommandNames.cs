namespace Edge.Integration.Tests.Docs;

/// <summary>
/// The programs a shell block calls: the first word of every simple command, after variable assignments and
/// <c>sudo</c>, outside quotes, comments and here-documents. Enough shell to catch a command that names no program
/// (a verb without its tool, a renamed script), not a parser: words from variables and <c>$(…)</c> are left out.
/// </summary>
public static class ShellCommandNames
{
    private static readonly HashSet<string> Keywords =
        ["do", "then", "else", "elif", "done", "fi", "!", "{", "}", "(", ")", "time"];

    private static readonly HashSet<string> Openers = ["for", "while", "until", "if", "case", "select"];

    /// <summary>Each called program with the folder the block had changed to (<c>cd</c>), relative to its
    /// start.</summary>
    public static List<(string Program, string Folder)> Of(string block)
    {
        var names = new List<(string, string)>();
        var folder = "";
        foreach (var command in Commands(LogicalLines(block)))
        {
            var words = Words(command);
            var first = 0;
            while (first < words.Count && (IsAssignment(words[first]) || Keywords.Contains(words[first])
                || words[first] == "sudo"))
            {
                first++;
            }

            if (first == words.Count || Openers.Contains(words[first]) || words[first].Contains('$'))
            {
                continue;
            }

            if (words[first] == "cd" && first + 1 < words.Count)
            {
                folder = Path.Join(folder, words[first + 1]);
            }

            names.Add((words[first], folder));
        }

        return names;
    }

    // Continuation lines joined, comment lines and here-document bodies dropped.
    private static IEnumerable<string> LogicalLines(string block)
    {
        string? hereEnd = null;
        var pending = "";
        foreach (var raw in block.Split('\n'))
        {
            if (hereEnd is not null)
            {
                hereEnd = raw.Trim() == hereEnd ? null : hereEnd;
                continue;
            }

            var line = pending + raw;
            if (line.EndsWith('\\'))
            {
                pending = line[..^1] + " ";
                continue;
            }

            pending = "";
            var here = line.IndexOf("<<", StringComparison.Ordinal);
            if (here >= 0)
            {
                hereEnd = line[(here + 2)..].TrimStart('-', ' ').Split(' ')[0].Trim('\'', '"');
            }

            yield return line;
        }
    }

    // Splits at unquoted ;, &, |, &&, || and stops at an unquoted comment.
    private static IEnumerable<string> Commands(IEnumerable<string> lines)
    {
        foreach (var line in lines)
        {
            var current = new System.Text.StringBuilder();
            char quote = '\0';
            for (var i = 0; i < line.Length; i++)
            {
                var c = line[i];
                if (quote != '\0')
                {
                    quote = c == quote ? '\0' : quote;
                    current.Append(c);
                }
                else if (c is '\'' or '"')
                {
                    quote = c;
                    current.Append(c);
                }
                else if (c == '#' && (i == 0 || char.IsWhiteSpace(line[i - 1])))
                {
                    break;
                }
                else if (c is ';' or '&' or '|')
                {
                    yield return current.ToString();
                    current.Clear();
                }
                else
                {
                    current.Append(c);
                }
            }

            yield return current.ToString();
        }
    }

    // Words split at unquoted blanks, up to the first redirection.
    private static List<string> Words(string command)
    {
        var words = new List<string>();
        var current = new System.Text.StringBuilder();
        char quote = '\0';
        foreach (var c in command + " ")
        {
            if (quote == '\0' && char.IsWhiteSpace(c))
            {
                if (current.Length > 0)
                {
                    words.Add(current.ToString());
                }

                current.Clear();
                continue;
            }

            quote = quote == '\0' ? (c is '\'' or '"' ? c : '\0') : (c == quote ? '\0' : quote);
            current.Append(c);
        }

        return [.. words.TakeWhile(w => w[0] is not ('>' or '<') && !w.StartsWith("2>", StringComparison.Ordinal))];
    }

    private static bool IsAssignment(string word)
    {
        var equals = word.IndexOf('=', StringComparison.Ordinal);
        return equals > 0 && word[..equals].All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
    }
}
