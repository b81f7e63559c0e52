using System.Diagnostics;
using Edge.Domain.Data;

namespace Edge.Integration.Tests.Docs;

/// <summary>
/// Every shell block in every markdown file of the repository is either run by <c>DocumentedCommandTests</c> or
/// says why not; and every one, run or not, is valid bash whose commands name programs that exist (on this machine,
/// in the repository, or built by the project).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DocumentedBlockTests
{
    private static readonly string RepositoryRoot =
        DataPaths.FindRepositoryRoot() ?? throw new InvalidOperationException("repository root not found");

    // The project's own programs (built by the commands before them) and programs of the Pi or broker host that a
    // development machine need not have.
    private static readonly HashSet<string> ProjectAndTargetPrograms =
        ["edge-agent", "edge-trainer", "edge-bridge-emulator", "rsync", "useradd", "systemctl", "journalctl"];

    public static TheoryData<string> MarkdownFiles() => [.. Markdown(RepositoryRoot)];

    [Fact]
    public void Every_document_that_runs_or_is_excused_exists()
    {
        var markdown = Markdown(RepositoryRoot);
        foreach (var document in DocumentedCommands.RunDocuments.Concat(DocumentedCommands.NotRunDocuments.Keys))
        {
            Assert.True(markdown.Contains(document), $"{document} is listed in DocumentedCommands but not in git");
        }
    }

    [Theory]
    [MemberData(nameof(MarkdownFiles))]
    public void Every_shell_block_runs_or_says_why_not(string document)
    {
        var blocks = Blocks(document);
        var runs = DocumentedCommands.RunDocuments.Contains(document);
        if (runs)
        {
            Assert.Contains(blocks, b => b.IsShell && b.SkipReason is null);
        }

        foreach (var block in blocks)
        {
            var first = block.Text.TrimStart();
            var looksLikeCommands = DocumentedCommands.CommandWords
                .Any(w => first.StartsWith(w, StringComparison.Ordinal));
            Assert.False(
                looksLikeCommands && block.Language.Length == 0,
                $"{block}: commands in a block without a language: fence it as bash (run) or text (a synopsis)");
            if (block.SkipReason is { } reason)
            {
                Assert.True(block.IsShell, $"{block}: a skip marker above a block that is not shell");
                Assert.True(reason.Length >= 20, $"{block}: the skip marker must say why ('{reason}')");
            }
            else if (block.IsShell && !runs)
            {
                Assert.True(
                    DocumentedCommands.NotRunDocuments.ContainsKey(document),
                    $"{block}: a shell block nothing runs: add {document} to DocumentedCommands.RunDocuments, or put "
                    + $"'{DocumentedCommands.SkipMarker} REASON -->' above it (needs hardware, takes hours, …)");
            }
        }
    }

    [Theory]
    [MemberData(nameof(MarkdownFiles))]
    public async Task Every_shell_block_is_valid_bash_calling_programs_that_exist(string document)
    {
        foreach (var block in Blocks(document).Where(b => b.IsShell))
        {
            var (code, errors) = await SyntaxCheckAsync(block.Text);
            Assert.True(code == 0, $"{block}: not valid bash: {errors}");
            foreach (var (program, folder) in ShellCommandNames.Of(block.Text))
            {
                Assert.True(
                    Exists(program, folder),
                    $"{block}: '{program}' is neither a shell builtin, a program on this machine, a file of the "
                    + "repository nor one of the project's programs");
            }
        }
    }

    private static List<CodeBlock> Blocks(string document)
        => DocumentedCommands.Parse(document, File.ReadAllText(Path.Combine(RepositoryRoot, document)));

    private static bool Exists(string program, string folder)
    {
        if (Path.IsPathRooted(program))
        {
            // An installed copy (/opt/edge-agent/edge-agent) or a system program.
            return ProjectAndTargetPrograms.Contains(Path.GetFileName(program)) || File.Exists(program);
        }

        if (program.Contains('/'))
        {
            return File.Exists(Path.Combine(RepositoryRoot, folder, program));
        }

        return ProjectAndTargetPrograms.Contains(program) || Builtins.Value.Contains(program)
            || MosquittoBroker.Find(program) is not null;
    }

    private static readonly Lazy<HashSet<string>> Builtins = new(() =>
    {
        var start = new ProcessStartInfo("bash", ["-c", "compgen -b; compgen -k"]) { RedirectStandardOutput = true };
        using var bash = Process.Start(start)!;
        var names = bash.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        bash.WaitForExit();
        return [.. names];
    });

    private static async Task<(int Code, string Errors)> SyntaxCheckAsync(string script)
    {
        var start = new ProcessStartInfo("bash", ["-n"])
        {
            RedirectStandardInput = true,
            RedirectStandardError = true,
        };
        using var bash = Process.Start(start)!;
        await bash.StandardInput.WriteAsync(script);
        bash.StandardInput.Close();
        var errors = await bash.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await bash.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (bash.ExitCode, errors);
    }

    // Tracked markdown and new files git would add, as the fresh copy of DocumentedCommandTests holds them.
    private static List<string> Markdown(string root)
    {
        var start = new ProcessStartInfo(
            "git", ["-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard", "*.md"])
        {
            RedirectStandardOutput = true,
        };
        using var git = Process.Start(start)!;
        var files = git.StandardOutput.ReadToEnd().Split('\0', StringSplitOptions.RemoveEmptyEntries);
        git.WaitForExit();
        return [.. files.Where(f => File.Exists(Path.Combine(root, f))).Order(StringComparer.Ordinal)];
    }
}
