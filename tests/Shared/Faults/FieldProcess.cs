using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Edge.Tests.Shared.Faults;

/// <summary>
/// A real child process of the fault bench (mosquitto, <c>edge-agent run</c>, <c>edge-trainer serve</c>), with its
/// output kept (the last lines, bounded) and the signals the field sends: SIGKILL, SIGSTOP/SIGCONT, SIGTERM.
/// </summary>
public sealed class FieldProcess : IDisposable
{
    private const int KeptLines = 400;
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();

    private FieldProcess(Process process) => _process = process;

    /// <summary>
    /// Raised for every line as it is written (on the output reader's thread: keep it short), so a bench can time
    /// what the process logs.
    /// </summary>
    public event Action<string>? LineWritten;

    /// <summary>Process id.</summary>
    public int Id => _process.Id;

    /// <summary>True once the process has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Exit code (valid once exited).</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>Starts <paramref name="program"/> with <paramref name="arguments"/> and extra environment.</summary>
    public static FieldProcess Start(
        string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = new Process { StartInfo = start };
        var field = new FieldProcess(process);
        process.OutputDataReceived += (_, e) => field.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => field.Keep(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return field;
    }

    /// <summary>The last lines the process wrote (stdout and stderr interleaved).</summary>
    public string Tail(int count = 20) => string.Join('\n', _lines.TakeLast(count));

    /// <summary>Lines so far that contain <paramref name="text"/>.</summary>
    public IReadOnlyList<string> Matching(string text) =>
        [.. _lines.Where(line => line.Contains(text, StringComparison.Ordinal))];

    /// <summary>kill -9, then waits for the exit.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            Signal("CONT"); // a stopped process dies on SIGKILL too, but its exit is only reaped once it runs
            _process.Kill(entireProcessTree: true);
        }

        _process.WaitForExit();
    }

    /// <summary>Sends SIGTERM and waits up to <paramref name="timeout"/>; kills it when it does not exit.</summary>
    public async Task TerminateAsync(TimeSpan timeout)
    {
        if (_process.HasExited)
        {
            return;
        }

        Signal("TERM");
        using var wait = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Kill();
        }
    }

    /// <summary>Sends a signal by name (STOP, CONT, TERM) with kill(1).</summary>
    public void Signal(string name)
    {
        if (_process.HasExited)
        {
            return;
        }

        using var kill = Process.Start("kill", ["-" + name, _process.Id.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    /// <summary>Waits for the exit up to <paramref name="timeout"/>; true when it exited.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var wait = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        LineWritten?.Invoke(line);
        _lines.Enqueue(line);
        while (_lines.Count > KeptLines && _lines.TryDequeue(out _))
        {
        }
    }
}
