using Edge.Agent.Commands;

namespace Edge.Agent.Tests;

/// <summary><c>listen --capture-command</c> splits its value into a program and arguments like a shell.</summary>
public sealed class CommandWordsTests
{
    [Theory]
    [InlineData("arecord", new[] { "arecord" })]
    [InlineData("  sox -d  -t raw -r 8000 - ", new[] { "sox", "-d", "-t", "raw", "-r", "8000", "-" })]
    [InlineData("cat '/tmp/my stream.raw'", new[] { "cat", "/tmp/my stream.raw" })]
    [InlineData("sh -c \"echo 'a b' >&2\"", new[] { "sh", "-c", "echo 'a b' >&2" })]
    [InlineData("a\\ b \"x\\\"y\" '$HOME'", new[] { "a b", "x\"y", "$HOME" })]
    [InlineData("prog ''", new[] { "prog", "" })]
    public void Words_are_split_like_a_shell_without_expansion(string commandLine, string[] expected)
        => Assert.Equal(expected, CommandWords.Split(commandLine));

    [Theory]
    [InlineData("cat 'open", "' quote is not closed")]
    [InlineData("cat \"open", "\" quote is not closed")]
    [InlineData("cat \\", "lone backslash")]
    [InlineData("   ", "names no program")]
    public void A_malformed_command_line_is_refused_with_its_problem(string commandLine, string problem)
    {
        var error = Assert.Throws<FormatException>(() => CommandWords.Split(commandLine));
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }
}
