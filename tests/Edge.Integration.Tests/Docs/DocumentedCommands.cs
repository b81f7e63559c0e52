namespace Edge.Integration.Tests.Docs;

/// <summary>One fenced code block of a markdown file.</summary>
/// <param name="File">The markdown file, relative to the repository root.</param>
/// <param name="Line">1-based line of the opening fence.</param>
/// <param name="Language">The fence's info string (<c>bash</c>, or empty).</param>
/// <param name="Text">The block's lines, joined by newlines.</param>
/// <param name="SkipReason">Why the block is not run, from the marker comment above it; null when it is run.</param>
public sealed record CodeBlock(string File, int Line, string Language, string Text, string? SkipReason)
{
    /// <summary>Whether the block is marked as shell commands.</summary>
    public bool IsShell => Language is "bash" or "sh" or "shell";

    /// <summary>Where the block is, for messages.</summary>
    public override string ToString() => $"{File}:{Line}";
}

/// <summary>
/// The shell blocks of the READMEs, as <c>DocumentedCommandTests</c> runs them. A block fenced as <c>bash</c> is run
/// unless the line above its fence is <c>&lt;!-- not run by DocumentedCommandTests: REASON --&gt;</c>; blocks
/// without a language are synopses or sample output.
/// </summary>
public static class DocumentedCommands
{
    /// <summary>The marker's start; the reason follows it.</summary>
    public const string SkipMarker = "<!-- not run by DocumentedCommandTests:";

    /// <summary>The READMEs whose commands must run as written.</summary>
    public static IReadOnlyList<string> Readmes { get; } = ["README.md", "agent/Edge.Agent/README.md"];

    /// <summary>Starts of command lines: a block starting with one must say its language (bash or text).</summary>
    public static IReadOnlyList<string> CommandWords { get; } =
    [
        "dotnet ", "edge-agent ", "edge-trainer ", "sudo ", "mosquitto", "rsync ", "deploy/", "./", "export ", "curl ",
    ];

    /// <summary>The fenced blocks of <paramref name="markdown"/>.</summary>
    public static List<CodeBlock> Parse(string file, string markdown)
    {
        var lines = markdown.Split('\n');
        var blocks = new List<CodeBlock>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith("```", StringComparison.Ordinal))
            {
                continue;
            }

            var language = lines[i][3..].Trim();
            var start = i;
            var body = new List<string>();
            while (++i < lines.Length && !lines[i].StartsWith("```", StringComparison.Ordinal))
            {
                body.Add(lines[i]);
            }

            blocks.Add(new CodeBlock(file, start + 1, language, string.Join('\n', body), SkipReason(lines, start)));
        }

        return blocks;
    }

    /// <summary>One bash script running <paramref name="blocks"/> in order, each announced with its place.</summary>
    public static string Script(IEnumerable<CodeBlock> blocks)
    {
        var script = new System.Text.StringBuilder("set -euxo pipefail\n");
        foreach (var block in blocks)
        {
            script.Append("echo '== ").Append(block).Append("' >&2\n").Append(block.Text).Append('\n');
        }

        return script.ToString();
    }

    private static string? SkipReason(string[] lines, int fence)
    {
        var above = fence - 1;
        while (above >= 0 && lines[above].Trim().Length == 0)
        {
            above--;
        }

        var line = above >= 0 ? lines[above].Trim() : "";
        return line.StartsWith(SkipMarker, StringComparison.Ordinal) && line.EndsWith("-->", StringComparison.Ordinal)
            ? line[SkipMarker.Length..^3].Trim()
            : null;
    }
}
