using System.Diagnostics;
using Edge.Domain.Data;

namespace Edge.Domain.Tests.Conventions;

/// <summary>
/// The project's line limit, 120 characters, holds in every C# file of the repository (tracked and new), so a long
/// line fails here rather than in review.
/// </summary>
public sealed class SourceLineLengthTests
{
    private const int Limit = 120;

    [Fact]
    public void No_line_of_any_csharp_file_is_longer_than_120_characters()
    {
        var root = DataPaths.FindRepositoryRoot() ?? throw new InvalidOperationException("repository root not found");
        var start = new ProcessStartInfo(
            "git", ["-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard", "*.cs"])
        {
            RedirectStandardOutput = true,
        };
        using var git = Process.Start(start)!;
        var files = git.StandardOutput.ReadToEnd().Split('\0', StringSplitOptions.RemoveEmptyEntries);
        git.WaitForExit();
        Assert.Equal(0, git.ExitCode);
        Assert.NotEmpty(files);

        var tooLong = new List<string>();
        foreach (var file in files.Where(f => File.Exists(Path.Combine(root, f))))
        {
            var lineNumber = 0;
            foreach (var line in File.ReadLines(Path.Combine(root, file)))
            {
                lineNumber++;
                if (line.TrimEnd('\r').Length > Limit)
                {
                    tooLong.Add($"{file}:{lineNumber}: {line.TrimEnd('\r').Length} characters");
                }
            }
        }

        Assert.True(
            tooLong.Count == 0,
            $"{tooLong.Count} lines over {Limit} characters:\n{string.Join('\n', tooLong.Take(50))}");
    }
}
