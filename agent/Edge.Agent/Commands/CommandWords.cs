using System.Text;

namespace Edge.Agent.Commands;

/// <summary>
/// Splits a command line given as one option value (<c>--capture-command "sox -d -t raw -"</c>) into the program
/// and its arguments the way a POSIX shell splits words: blanks separate, single quotes keep everything literal,
/// double quotes keep blanks, a backslash escapes the next character. No expansion of any kind happens.
/// </summary>
internal static class CommandWords
{
    /// <summary>
    /// The words of <paramref name="commandLine"/>; throws <see cref="FormatException"/> naming the problem.
    /// </summary>
    public static List<string> Split(string commandLine)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        char? quote = null;
        for (var i = 0; i < commandLine.Length; i++)
        {
            var c = commandLine[i];
            if (quote == '\'')
            {
                if (c == '\'')
                {
                    quote = null;
                }
                else
                {
                    word.Append(c);
                }
            }
            else if (c == '\\' && (quote is null || (i + 1 < commandLine.Length && commandLine[i + 1] is '"' or '\\')))
            {
                if (++i == commandLine.Length)
                {
                    throw new FormatException("it ends with a lone backslash.");
                }

                word.Append(commandLine[i]);
                inWord = true;
            }
            else if (quote == '"')
            {
                if (c == '"')
                {
                    quote = null;
                }
                else
                {
                    word.Append(c);
                }
            }
            else if (c is '\'' or '"')
            {
                quote = c;
                inWord = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }
            }
            else
            {
                word.Append(c);
                inWord = true;
            }
        }

        if (quote is { } open)
        {
            throw new FormatException($"a {open} quote is not closed.");
        }

        if (inWord)
        {
            words.Add(word.ToString());
        }

        return words.Count > 0 ? words : throw new FormatException("it names no program.");
    }
}
