using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Edge.Integration.Tests;

/// <summary>
/// The <c>edge-trainer</c> executable (built next to the tests) run as a process of its own, with its console
/// output collected line by line, so a test can wait for what it logs and kill it as <c>kill -9</c> would.
/// </summary>
public sealed class TrainerProcess : IDisposable
{
    private readonly Process _process;

    private TrainerProcess(Process process) => _process = process;

    public ConcurrentQueue<string> Lines { get; } = new();

    public static TrainerProcess Start(params string[] arguments)
        => Start(new Dictionary<string, string?>(), arguments);

    /// <summary>Starts the executable with <paramref name="environment"/> added to this process's variables.</summary>
    public static TrainerProcess Start(IReadOnlyDictionary<string, string?> environment, params string[] arguments)
    {
        var executable = OperatingSystem.IsWindows() ? "edge-trainer.exe" : "edge-trainer";
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, executable))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start };
        var trainer = new TrainerProcess(process);
        process.OutputDataReceived += (_, e) => trainer.Collect(e.Data);
        process.ErrorDataReceived += (_, e) => trainer.Collect(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return trainer;
    }

    /// <summary>Runs the executable to its end; returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(params string[] arguments)
    {
        using var trainer = Start(arguments);
        await trainer._process.WaitForExitAsync(TestContext.Current.CancellationToken);
        trainer._process.WaitForExit(); // drains the redirected output
        return (trainer._process.ExitCode, string.Join('\n', trainer.Lines));
    }

    /// <summary>Waits until <paramref name="count"/> lines contain <paramref name="text"/>; fails if it exits first.
    /// </summary>
    public async Task WaitForAsync(string text, int count = 1, double seconds = 120)
    {
        await Eventually.TrueAsync(
            () => Task.FromResult(Count(text) >= count || _process.HasExited),
            () => $"{count} lines with '{text}' from edge-trainer; it wrote:\n{Tail()}",
            seconds);
        Assert.True(Count(text) >= count, $"edge-trainer exited before writing '{text}':\n{Tail()}");
    }

    /// <summary>How many lines so far contain <paramref name="text"/>.</summary>
    public int Count(string text) => Lines.Count(line => line.Contains(text, StringComparison.Ordinal));

    /// <summary>Whether the process has ended, and its exit code then.</summary>
    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    /// <summary>Sends SIGTERM, as systemd stops a service, and waits for the exit; returns the exit code.</summary>
    public async Task<int> TerminateAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync(TestContext.Current.CancellationToken);
        }

        await _process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return _process.ExitCode;
    }

    /// <summary>Kills the process at once (SIGKILL), as <c>kill -9</c> does.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private string Tail() => string.Join('\n', Lines.TakeLast(30));

    private void Collect(string? line)
    {
        if (line is not null)
        {
            Lines.Enqueue(line);
        }
    }
}
