using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Edge.Testing;

/// <summary>
/// A throwaway PostgreSQL server for tests and benchmarks: <c>initdb</c> into a temporary folder, then <c>pg_ctl</c>
/// starts it on a free loopback port with trust authentication for the superuser <c>edge</c>. PostgreSQL refuses to
/// run as root, so a root process (CI) runs both as the <c>postgres</c> system user (created by Debian's package)
/// through <c>runuser</c>. Linked into the test and benchmark projects (tests/Shared).
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private readonly DirectoryInfo _folder;
    private readonly string _data;
    private readonly bool _durable;

    private PostgresServer(DirectoryInfo folder, int port, bool durable)
    {
        (_folder, Port, _durable) = (folder, port, durable);
        _data = Path.Combine(folder.FullName, "data");
    }

    /// <summary>The folder holding <c>initdb</c>, <c>pg_ctl</c> and <c>postgres</c>, or null when PostgreSQL is not
    /// installed.</summary>
    public static string? BinDirectory { get; } = FindBinDirectory();

    /// <summary>The loopback port the server listens on.</summary>
    public int Port { get; }

    /// <summary>Connection string for <paramref name="database"/> as the superuser.</summary>
    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port.ToString(CultureInfo.InvariantCulture)};Username=edge;Database={database};"
        + "Timeout=10;Command Timeout=60";

    /// <summary>
    /// Creates and starts a server. <paramref name="durable"/> false turns fsync off (tests: faster, nothing to keep);
    /// true keeps PostgreSQL's defaults (benchmarks measure what production would do).
    /// </summary>
    /// <exception cref="InvalidOperationException">PostgreSQL is missing or failed to start; the message says which and
    /// why.</exception>
    public static async Task<PostgresServer> StartAsync(bool durable, CancellationToken cancellationToken = default)
    {
        var bin = BinDirectory
            ?? throw new
                InvalidOperationException("PostgreSQL is not installed (apt-get install postgresql; .ci/run does this "
                    + "in CI).");
        var folder = Directory.CreateTempSubdirectory("edge-postgres-");
        if (!OperatingSystem.IsWindows())
        {
            // The postgres user (when we are root) must be able to create the data directory and its socket here.
            folder.UnixFileMode = (UnixFileMode)0x1FF;
        }

        var server = new PostgresServer(folder, FreePort(), durable);
        try
        {
            await server.RunAsync(Path.Combine(bin, "initdb"),
                ["-D", server._data, "-U", "edge", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"],
                    cancellationToken).ConfigureAwait(false);
            await server.StartServerAsync(cancellationToken).ConfigureAwait(false);
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var create = connection.CreateCommand();
        create.CommandText = $"CREATE DATABASE \"{name}\"";
        await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return ConnectionString(name);
    }

    /// <summary>Stops the server (fast shutdown: open connections are cut, as in a crash of the network or the
    /// server).</summary>
    public Task StopAsync(CancellationToken cancellationToken = default) =>
        RunAsync(Path.Combine(BinDirectory!, "pg_ctl"), ["-D", _data, "-m", "fast", "-w", "stop"], cancellationToken);

    /// <summary>Starts the server again on the same port with the same data.</summary>
    public Task StartServerAsync(CancellationToken cancellationToken = default)
    {
        var settings =
            $"-p {Port.ToString(CultureInfo.InvariantCulture)} -k {_folder.FullName} -c listen_addresses=127.0.0.1 -c "
                + "max_connections=40 -c shared_buffers=64MB"
            + (_durable ? "" : " -c fsync=off -c synchronous_commit=off -c full_page_writes=off");
        return RunAsync(Path.Combine(BinDirectory!, "pg_ctl"),
            ["-D", _data, "-l", Path.Combine(_folder.FullName, "server.log"), "-w", "-t", "60", "-o", settings,
                "start"], cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (File.Exists(Path.Combine(_data, "postmaster.pid")))
        {
            try
            {
                await RunAsync(Path.Combine(BinDirectory!, "pg_ctl"), ["-D", _data, "-m", "immediate", "-w", "stop"],
                    CancellationToken.None).ConfigureAwait(false);
            }
            catch (InvalidOperationException)
            {
                // Already stopped.
            }
        }

        _folder.Delete(recursive: true);
    }

    private async Task RunAsync(string executable, string[] arguments, CancellationToken cancellationToken)
    {
        // PostgreSQL refuses to run as root: a privileged process runs it as the postgres system user.
        var start = Environment.IsPrivilegedProcess
            ? new ProcessStartInfo("runuser", ["-u", "postgres", "--", executable, .. arguments])
            : new ProcessStartInfo(executable, arguments);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.WorkingDirectory = _folder.FullName;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Cannot start {executable}.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            var log = Path.Combine(_folder.FullName, "server.log");
            var serverLog = File.Exists(log) ? await File.ReadAllTextAsync(log, cancellationToken).ConfigureAwait(false)
                : "";
            throw new
                InvalidOperationException($"{Path.GetFileName(executable)} {string.Join(' ', arguments)} exited with "
                    + $"{process.ExitCode}: "
                        + $"{await error.ConfigureAwait(false)}{await output.ConfigureAwait(false)}{serverLog}");
        }
    }

    private static string? FindBinDirectory()
    {
        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            if (folder.Length > 0 && File.Exists(Path.Combine(folder, "pg_ctl"))
                && File.Exists(Path.Combine(folder, "initdb")))
            {
                // /usr/local/bin may hold symlinks; the real folder also holds the server binary pg_ctl starts.
                return Path.GetDirectoryName(new FileInfo(Path.Combine(folder, "pg_ctl"))
                    .ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Path.Combine(folder, "pg_ctl"));
            }
        }

        // Debian installs the server outside PATH, one folder per major version: take the newest.
        const string debian = "/usr/lib/postgresql";
        if (!Directory.Exists(debian))
        {
            return null;
        }

        string? best = null;
        var bestVersion = -1;
        foreach (var version in Directory.EnumerateDirectories(debian))
        {
            var bin = Path.Combine(version, "bin");
            if (int.TryParse(Path.GetFileName(version), CultureInfo.InvariantCulture, out var major) && major
                > bestVersion && File.Exists(Path.Combine(bin, "pg_ctl")) && File.Exists(Path.Combine(bin, "initdb")))
            {
                (best, bestVersion) = (bin, major);
            }
        }

        return best;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
