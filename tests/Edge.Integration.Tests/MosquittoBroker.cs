using System.Diagnostics;
using System.Net.Sockets;

namespace Edge.Integration.Tests;

/// <summary>
/// A real mosquitto started by the test on a free port with persistence in a temporary folder, so sessions and
/// queued QoS 1 messages survive a restart. Missing mosquitto skips the test on a developer machine and fails it
/// in CI (CI=true), where .ci/run installs it.
/// </summary>
public sealed class MosquittoBroker : TestBroker
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("edge-mosquitto-");
    private readonly Func<int, string>? _config;
    private Process? _process;

    /// <summary>
    /// A broker with the default test configuration, or, with <paramref name="config"/>, started from the file that
    /// function returns for the broker's <see cref="TestBroker.Port"/> (which that configuration must listen on).
    /// </summary>
    public MosquittoBroker(Func<int, string>? config = null)
    {
        _config = config;
        // Started as root, mosquitto drops to the 'mosquitto' user, which must still be able to write its
        // persistence file here; without it sessions silently do not survive the restart the tests rely on.
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        _folder.UnixFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
    }

    public override string Name => "mosquitto";

    /// <summary>Path of the mosquitto executable, or null.</summary>
    public static string? Executable { get; } = Find("mosquitto");

    /// <summary>Skips (developer machine) or fails (CI) when mosquitto is not installed.</summary>
    public static void RequireInstalled()
    {
        if (Executable is not null)
        {
            return;
        }

        const string message =
            "mosquitto is not installed (apt-get install mosquitto mosquitto-clients; .ci/run does this in CI).";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail(message);
        }

        Assert.Skip(message);
    }

    /// <summary>Finds an executable on PATH or in the sbin folders Debian installs daemons into.</summary>
    public static string? Find(string name) => Edge.Tests.Shared.Faults.FaultBroker.Find(name);

    public override async Task StartAsync()
    {
        RequireInstalled();
        var config = _config?.Invoke(Port) ?? Path.Combine(_folder.FullName, "mosquitto.conf");
        if (_config is null)
        {
            await WriteDefaultConfigAsync(config);
        }

        _process = Process.Start(new ProcessStartInfo(Executable!, ["-c", config]) { RedirectStandardError = true,
            RedirectStandardOutput = true })!;
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"mosquitto exited with code {_process.ExitCode} at start.");
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(System.Net.IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(20);
            }
        }

        throw new TimeoutException("mosquitto did not listen within 10 s.");
    }

    private Task WriteDefaultConfigAsync(string config) => File.WriteAllTextAsync(config, $"""
            listener {Port} 127.0.0.1
            allow_anonymous true
            persistence true
            persistence_location {_folder.FullName}/
            max_queued_messages 0
            max_inflight_messages 0
            log_dest stderr
            log_type error
            """);

    protected override void Cleanup() => _folder.Delete(recursive: true);

    /// <summary>
    /// kill -9: mosquitto dies without writing its persistence file, keeping only what its last autosave wrote.
    /// </summary>
    public async Task KillAsync()
    {
        if (_process is null)
        {
            return;
        }

        if (!_process.HasExited)
        {
            _process.Kill();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(timeout.Token);
        }

        _process.Dispose();
        _process = null;
    }

    public override async Task StopAsync()
    {
        if (_process is null)
        {
            return;
        }

        if (!_process.HasExited)
        {
            // SIGTERM, not Kill(): mosquitto writes its persistence file on a clean shutdown.
            using (var kill = Process.Start("kill",
                ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(timeout.Token);
        }

        _process.Dispose();
        _process = null;
    }
}
