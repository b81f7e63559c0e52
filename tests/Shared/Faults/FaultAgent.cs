using System.Globalization;

namespace Edge.Tests.Shared.Faults;

/// <summary>
/// One <c>edge-agent run</c> process on the simulated electronic device, connected to a <see cref="FaultBroker"/>
/// with its device certificate, recording every PAT drive it plays (<c>MeasurementSampleFraction</c> 1) in an outbox
/// of its own folder. Supervised as its systemd unit is (<c>Restart=on-failure</c>): an exit the bench did not cause
/// is counted and the agent started again after <see cref="RestartDelay"/>, so a crash loop shows as a count.
/// </summary>
public sealed class FaultAgent : IDisposable
{
    private readonly string _executable;
    private readonly Dictionary<string, string> _environment;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private FieldProcess? _process;
    private Task? _supervisor;
    private bool _down;

    /// <summary>An agent for <paramref name="deviceId"/> in <paramref name="folder"/>.</summary>
    public FaultAgent(string executable, FaultBroker broker, string deviceId, string folder)
    {
        ArgumentNullException.ThrowIfNull(broker);
        _executable = executable;
        DeviceId = deviceId;
        Folder = Directory.CreateDirectory(folder).FullName;
        _environment = broker.AgentEnvironment(deviceId);
        _environment["EDGE_DEVICE__SYSTEM"] = System;
        _environment["EDGE_DEVICE__DEVICEID"] = deviceId;
        _environment["EDGE_DEVICE__SEED"] = "7";
        _environment["EDGE_MQTT__OUTBOXPATH"] = Path.Combine(Folder, "outbox.db");
        _environment["EDGE_MQTT__MEASUREMENTSAMPLEFRACTION"] = "1";
        // The field default backs off to 30 s; the bench bounds it so a row measures the fault, not the backoff.
        _environment["EDGE_MQTT__RECONNECTMAXDELAYMS"] = "2000";
        _environment["EDGE_LOGGING__LOGLEVEL__DEFAULT"] = "Warning";
        foreach (var (name, value) in UnitRuntimeSettings())
        {
            _environment[name] = value;
        }
    }

    /// <summary>The systemd unit the agent ships with (agent/Edge.Agent/deploy/edge-agent.service).</summary>
    public static string ShippedUnit => Path.Combine(
        Edge.Domain.Data.DataPaths.FindRepositoryRoot() ?? Directory.GetCurrentDirectory(),
        "agent", "Edge.Agent", "deploy", "edge-agent.service");

    /// <summary>
    /// The runtime settings (<c>Environment=DOTNET_…</c>) of <paramref name="unit"/> (default: the shipped unit), so
    /// the benches' agents run with the garbage collector the field runs with. Site settings live in the unit's
    /// <c>EnvironmentFile</c> and are not read. The one reader of the unit's settings for every bench.
    /// </summary>
    public static Dictionary<string, string> UnitRuntimeSettings(string? unit = null)
    {
        unit ??= ShippedUnit;
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        const string prefix = "Environment=";
        foreach (var line in File.Exists(unit) ? File.ReadLines(unit) : [])
        {
            if (line.StartsWith(prefix + "DOTNET_", StringComparison.Ordinal)
                && line.IndexOf('=', prefix.Length) is var equals and > 0)
            {
                settings[line[prefix.Length..equals]] = line[(equals + 1)..];
            }
        }

        return settings;
    }

    /// <summary>The physical system the agents simulate.</summary>
    public const string System = "electronic";

    /// <summary>The exit code the unit does not restart on (<c>RestartPreventExitStatus=3</c>).</summary>
    public const int ConfigurationExitCode = 3;

    /// <summary>Device id (the certificate's common name).</summary>
    public string DeviceId { get; }

    /// <summary>The variables every process of this agent starts with (its <c>EDGE_…</c> settings too).</summary>
    public IReadOnlyDictionary<string, string> Settings => _environment;

    /// <summary>The agent's working folder.</summary>
    public string Folder { get; }

    /// <summary>The SQLite outbox (in the agent's folder unless a row moved it).</summary>
    public string OutboxPath => _environment.TryGetValue("EDGE_MQTT__OUTBOXPATH", out var path)
        ? path
        : Path.Combine(Folder, "outbox.db");

    /// <summary>Seconds between an unexpected exit and the restart (the unit says 5; the bench waits less).</summary>
    public TimeSpan RestartDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Exits the bench did not cause (each followed by a restart).</summary>
    public int UnexpectedExits { get; private set; }

    /// <summary>Exit codes of those exits, in order.</summary>
    public List<int> ExitCodes { get; } = [];

    /// <summary>What the last process wrote before it exited, for the bench's error column.</summary>
    public string LastWords { get; private set; } = "";

    /// <summary>The running process, or null while it is down.</summary>
    public FieldProcess? Process
    {
        get
        {
            lock (_gate)
            {
                return _process;
            }
        }
    }

    /// <summary>Sets (or with null removes) an environment variable of the next start.</summary>
    public void Set(string name, string? value)
    {
        if (value is null)
        {
            _environment.Remove(name);
        }
        else
        {
            _environment[name] = value;
        }
    }

    /// <summary>Runs another <c>edge-agent</c> command (e.g. <c>models install</c>) with the agent's settings.
    /// </summary>
    public FieldProcess StartCommand(IEnumerable<string> arguments) =>
        FieldProcess.Start(_executable, arguments, _environment);

    /// <summary>Starts the agent and its supervisor.</summary>
    public void Start()
    {
        lock (_gate)
        {
            _down = false;
            _process = FieldProcess.Start(_executable, ["run"], _environment);
        }

        _supervisor ??= SuperviseAsync(_stop.Token);
    }

    /// <summary>kill -9; the supervisor does not restart it (the bench does when the row says so).</summary>
    public void Kill()
    {
        FieldProcess? process;
        lock (_gate)
        {
            _down = true;
            process = _process;
            _process = null;
        }

        process?.Dispose();
    }

    /// <summary>Resident memory (kB), open descriptors and threads of the running process, from /proc.</summary>
    public (long RssKb, int Handles, int Threads)? Sample()
    {
        var process = Process;
        if (process is null || process.HasExited)
        {
            return null;
        }

        try
        {
            var pid = process.Id.ToString(CultureInfo.InvariantCulture);
            long rss = 0;
            var threads = 0;
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rss = long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
                }
                else if (line.StartsWith("Threads:", StringComparison.Ordinal))
                {
                    threads = int.Parse(line.AsSpan(8).Trim(), CultureInfo.InvariantCulture);
                }
            }

            return (rss, Directory.GetFileSystemEntries($"/proc/{pid}/fd").Length, threads);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // it exited between the check and the read
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _stop.Cancel();
        Kill();
        try
        {
            _supervisor?.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task SuperviseAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            FieldProcess? exited;
            lock (_gate)
            {
                exited = !_down && _process is { HasExited: true } ? _process : null;
                if (exited is not null)
                {
                    _process = null;
                }
            }

            if (exited is null)
            {
                continue;
            }

            var code = exited.ExitCode;
            UnexpectedExits++;
            ExitCodes.Add(code);
            LastWords = exited.Tail(8);
            exited.Dispose();
            if (code == ConfigurationExitCode)
            {
                // RestartPreventExitStatus=3: the unit stays down until an operator fixes the configuration.
                lock (_gate)
                {
                    _down = true;
                }

                continue;
            }

            await Task.Delay(RestartDelay, cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                if (!_down && _process is null)
                {
                    _process = FieldProcess.Start(_executable, ["run"], _environment);
                }
            }
        }
    }
}
