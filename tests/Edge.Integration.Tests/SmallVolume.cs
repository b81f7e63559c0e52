using System.Diagnostics;
using Edge.Agent.Messaging;

namespace Edge.Integration.Tests;

/// <summary>
/// A 4 MiB tmpfs (as root) that can be filled to the last byte, or a plain folder and a page cap on the outbox.
/// </summary>
internal sealed class SmallVolume : IDisposable
{
    private readonly bool _mounted;
    private string? _filler;

    public SmallVolume(string root)
    {
        Root = root;
        Directory.CreateDirectory(root);
        _mounted = OperatingSystem.IsLinux() && Environment.IsPrivilegedProcess
            && Run("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", root) == 0;
    }

    public string Root { get; }

    /// <summary>True when this is a real tmpfs (the tests run as root and may mount).</summary>
    public bool IsTmpfs => _mounted;

    public void Fill(SqliteOutbox outbox)
    {
        if (!_mounted)
        {
            outbox.LimitPages(PageCount(outbox) + 1);
            return;
        }

        _filler = Path.Combine(Root, "filler");
        var chunk = new byte[64 * 1024];
        using var file = new FileStream(_filler, FileMode.Create, FileAccess.Write, FileShare.None, 1);
        try
        {
            while (true)
            {
                file.Write(chunk);
            }
        }
        catch (IOException)
        {
            // No space left on the device: the volume is full.
        }
    }

    public void Free(SqliteOutbox outbox)
    {
        if (_filler is null)
        {
            outbox.LimitPages(1 << 30);
            return;
        }

        File.Delete(_filler);
    }

    public void Dispose()
    {
        if (_mounted)
        {
            // Lazy: SQLite's files may still be closing.
            Run("umount", "-l", Root);
        }
    }

    private static int PageCount(SqliteOutbox outbox)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection(
            $"Data Source={outbox.FilePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var pages = connection.CreateCommand();
        pages.CommandText = "PRAGMA page_count";
        return (int)(long)pages.ExecuteScalar()!;
    }

    private static int Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        process.WaitForExit();
        return process.ExitCode;
    }
}
