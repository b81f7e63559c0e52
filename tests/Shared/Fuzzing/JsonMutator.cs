using System.Text;
using System.Text.RegularExpressions;

namespace Edge.Tests.Fuzzing;

/// <summary>
/// Member-level JSON mutations on the text, so they can also produce what a serializer never writes: a member given
/// twice, a member removed or renamed, an unknown member, a value of the wrong type, boundary and huge numbers, deep
/// nesting, huge arrays and strings, lone surrogates.
/// </summary>
internal static partial class JsonMutator
{
    private static readonly string[] Values =
    [
        "null", "true", "false", "0", "-1", "1", "2147483647", "2147483648", "-2147483649", "1e309", "-1e309", "1.5",
        "-0", "99999999999999999999999", "0.0000000000000000000001", "\"\"", "\"x\"", "\"\\ud800\"", "\"\\u0000\"",
        "\"NaN\"", "\"Infinity\"", "[]", "{}", "[null]", "[1e39]", "\"AAAA\"", "\"!!!!\"", "\"UklGRg==\"",
        "\"00000000-0000-0000-0000-000000000000\"", "\"9999-12-31T23:59:59Z\"", "\"0001-01-01T00:00:00+14:00\"",
    ];

    // Built once: generating them per input would dominate the run.
    private static readonly string[] HugeValues =
    [
        "\"" + new string('A', 300_000) + "\"",
        "[" + string.Join(',', Enumerable.Repeat("0.5", 20_000)) + "]",
        "[" + string.Join(',', Enumerable.Repeat("1e38", 60_000)) + "]",
        "\"" + new string('A', 8_000) + "\"",
        "\"" + string.Concat(Enumerable.Repeat("\\u00e9", 2_000)) + "\"",
    ];

    /// <summary>Applies one member-level edit to the JSON text <paramref name="input"/>.</summary>
    public static byte[] Mutate(byte[] input, Random random)
    {
        var text = Encoding.UTF8.GetString(input);
        var members = MemberName().Matches(text);
        if (members.Count == 0)
        {
            return Encoding.UTF8.GetBytes(Structural(text, random));
        }

        var member = members[random.Next(members.Count)];
        var valueStart = member.Index + member.Length;
        var valueEnd = ValueEnd(text, valueStart);
        if (valueEnd < 0)
        {
            return Encoding.UTF8.GetBytes(Structural(text, random));
        }

        var memberText = text[member.Index..valueEnd];
        var mutated = random.Next(8) switch
        {
            0 => Insert(text, random, memberText),
            1 => Remove(text, member.Index, valueEnd),
            2 => text[..valueStart] + Value(random) + text[valueEnd..],
            3 => text[..member.Index] + $"\"{Rename(member.Groups[1].Value, random)}\":" + text[valueStart..],
            4 => Insert(text, random, $"\"unknown{random.Next(3)}\":{Value(random)}"),
            5 => text[..valueStart] + Nest(random) + text[valueEnd..],
            6 => text[..valueStart] + HugeValues[random.Next(HugeValues.Length)] + text[valueEnd..],
            _ => Structural(text, random),
        };
        return Encoding.UTF8.GetBytes(mutated);
    }

    /// <summary>Index just past the JSON value at <paramref name="start"/>, or -1 when it does not end.</summary>
    private static int ValueEnd(string text, int start)
    {
        var depth = 0;
        var inString = false;
        for (var i = start; i < text.Length; i++)
        {
            var c = text[i];
            if (inString)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    inString = false;
                    if (depth == 0)
                    {
                        return i + 1;
                    }
                }

                continue;
            }

            switch (c)
            {
                case '"':
                    inString = true;
                    break;
                case '[' or '{':
                    depth++;
                    break;
                case ']' or '}' when depth > 0:
                    if (--depth == 0)
                    {
                        return i + 1;
                    }

                    break;
                case ',' or '}' or ']' when depth == 0:
                    return i;
            }
        }

        return -1;
    }

    private static string Insert(string text, Random random, string member)
    {
        var open = text.IndexOf('{', StringComparison.Ordinal);
        var close = text.LastIndexOf('}');
        if (open < 0 || close < 0)
        {
            return text + member;
        }

        return random.Next(2) == 0
            ? text[..(open + 1)] + member + "," + text[(open + 1)..]
            : text[..close] + "," + member + text[close..];
    }

    private static string Remove(string text, int start, int end)
    {
        // Take the separating comma with the member so the rest stays well-formed.
        if (end < text.Length && text[end] == ',')
        {
            end++;
        }
        else if (start > 0 && text[start - 1] == ',')
        {
            start--;
        }

        return text[..start] + text[end..];
    }

    private static string Rename(string name, Random random) => random.Next(3) switch
    {
        0 => name.ToUpperInvariant(),
        1 => name + "x",
        _ => name.Length > 1 ? name[1..] : "_",
    };

    private static string Value(Random random) => Values[random.Next(Values.Length)];

    private static string Nest(Random random)
    {
        var depth = random.Next(2) == 0 ? 1 + random.Next(70) : 1000;
        return new string('[', depth) + new string(']', depth);
    }

    private static string Structural(string text, Random random) => random.Next(5) switch
    {
        0 => "[" + text + "]",
        1 => text + text,
        2 => Value(random),
        3 => text.Replace("\"schemaVersion\":1", $"\"schemaVersion\":{random.Next(-1, 3)}", StringComparison.Ordinal),
        _ => text.Length > 1 ? text[..random.Next(text.Length)] : "{",
    };

    [GeneratedRegex("\"([A-Za-z0-9_]+)\"\\s*:")]
    private static partial Regex MemberName();
}
