using System.Diagnostics;
using Edge.Domain.Data;

namespace Edge.Integration.Tests.Docs;

/// <summary>
/// Every command block of <see cref="DocumentedCommands.RunDocuments"/> runs as written from the root of a fresh copy
/// of the repository (tracked and new files, nothing built, no artifacts), in order, as one shell session per
/// document, and leaves nothing behind that git would see: outputs go under <c>artifacts/</c>. Blocks too long for a
/// test, or that need hardware, say so with their reason (<c>DocumentedBlockTests</c> checks that they do).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DocumentedCommandTests : IDisposable
{
    private static readonly string RepositoryRoot =
        DataPaths.FindRepositoryRoot() ?? throw new InvalidOperationException("repository root not found");

    private readonly DirectoryInfo _scratch = Directory.CreateTempSubdirectory("edge-readme-");

    [Fact]
    public async Task Readme_commands_run_as_written_on_a_fresh_copy_and_leave_only_artifacts()
    {
        if (Find("mosquitto") is null || Find("openssl") is null)
        {
            MosquittoBroker.RequireInstalled();
            Assert.Fail("openssl is not installed (.ci/run installs it).");
        }

        var copy = Path.Combine(_scratch.FullName, "edge");
        CopyWorkingTree(RepositoryRoot, copy);
        // mosquitto drops to its own user before it reads the broker's files under the copy.
        File.SetUnixFileMode(_scratch.FullName, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(copy, (UnixFileMode)0b111_101_101);
        await RunAsync(copy, "git", "init", "-q");
        await RunAsync(copy, "git", "add", "-A");
        await RunAsync(copy, "git", "-c", "user.name=docs", "-c", "user.email=docs@localhost", "commit", "-qm", "copy");

        foreach (var readme in DocumentedCommands.RunDocuments)
        {
            var runnable = Blocks(copy, readme).Where(b => b.IsShell && b.SkipReason is null).ToList();
            var script = Path.Combine(_scratch.FullName, readme.Replace('/', '-') + ".sh");
            await File.WriteAllTextAsync(
                script, DocumentedCommands.Script(readme, runnable), TestContext.Current.CancellationToken);

            var (code, output) = await RunScriptAsync(copy, script, TimeSpan.FromMinutes(20));
            Assert.True(code == 0, $"{readme}: exit code {code}; the end of its output:\n{Tail(output, 60)}");

            var (_, status) = await RunAsync(copy, "git", "status", "--porcelain");
            Assert.True(status.Trim().Length == 0, $"{readme} left files git sees:\n{status}");
        }
    }

    public void Dispose() => _scratch.Delete(recursive: true);

    private static List<CodeBlock> Blocks(string root, string readme)
        => DocumentedCommands.Parse(readme, File.ReadAllText(Path.Combine(root, readme)));

    // Tracked files and new ones git would add: what a clone of this commit (plus the work in progress) holds.
    private static void CopyWorkingTree(string from, string to)
    {
        var start = new ProcessStartInfo(
            "git", ["-C", from, "ls-files", "-z", "--cached", "--others", "--exclude-standard"])
        {
            RedirectStandardOutput = true,
        };
        using var git = Process.Start(start)!;
        var files = git.StandardOutput.ReadToEnd().Split('\0', StringSplitOptions.RemoveEmptyEntries);
        git.WaitForExit();
        Assert.Equal(0, git.ExitCode);
        foreach (var file in files)
        {
            var source = Path.Combine(from, file);
            if (!File.Exists(source))
            {
                continue;
            }

            var target = Path.Combine(to, file);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(source, target);
            File.SetUnixFileMode(target, File.GetUnixFileMode(source));
        }
    }

    private static async Task<(int Code, string Output)> RunScriptAsync(string folder, string script, TimeSpan timeout)
    {
        // Its own session, so the services it starts in the background go with it when the test ends.
        var start = new ProcessStartInfo("setsid", ["bash", script])
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // The agent's settings come from the README's commands alone.
        var inherited = start.Environment.Keys.Where(k => k.StartsWith("EDGE_", StringComparison.Ordinal)).ToList();
        foreach (var variable in inherited)
        {
            start.Environment.Remove(variable);
        }

        start.Environment[DataPaths.OverrideVariable] = DataPaths.Root();
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            Append(output, $"(stopped after {timeout.TotalMinutes} minutes)");
        }
        finally
        {
            // setsid made the script a process-group leader: end the group, services included.
            using var kill = Process.Start("kill", ["-KILL", "--", $"-{process.Id}"]);
            await kill.WaitForExitAsync(CancellationToken.None);
        }

        await process.WaitForExitAsync(CancellationToken.None);
        lock (output)
        {
            return (process.ExitCode, output.ToString());
        }
    }

    private static async Task<(int Code, string Output)> RunAsync(
        string folder, string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program, arguments)
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', arguments)}: {await error}");
        return (process.ExitCode, await output);
    }

    private static void Append(System.Text.StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.Append(line).Append('\n');
        }
    }

    private static string Tail(string text, int lines)
        => string.Join('\n', text.Split('\n').TakeLast(lines));

    private static string? Find(string name) => MosquittoBroker.Find(name);
}
