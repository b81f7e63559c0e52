using System.CommandLine;
using Edge.Domain.Models;
using Edge.Domain.Simulation;
using Edge.Trainer.Bench;
using Edge.Trainer.Live;
using Edge.Trainer.Live.Updates;
using Edge.Trainer.Twins;
using Microsoft.Extensions.Logging;

namespace Edge.Trainer.Cli;

/// <summary>
/// The <c>serve</c> options that turn on periodic updates: which devices to watch (each with the package it runs),
/// the signing key and calibration set of new packages, the drift threshold and the schedule.
/// </summary>
internal sealed class FieldUpdateOptions
{
    private readonly Option<string[]> _watch = new("--watch") { Description = "DEVICE=PACKAGE: watch this agent, which runs this package (repeatable). Turns on field updates.", AllowMultipleArgumentsPerToken = false };
    private readonly Option<FileInfo?> _key = new("--signing-key") { Description = "Private key (PEM) that signs field-update packages." };
    private readonly Option<FileInfo?> _calibration = new("--calibration") { Description = "The calibration set (CSV) the watched agents hold." };
    private readonly Option<string> _task = new("--task") { Description = "Task the watched models solve (training data of field updates).", DefaultValueFactory = _ => "vowels" };
    private readonly Option<string> _system = new("--system") { Description = "Physical system of the watched agents.", DefaultValueFactory = _ => "electronic" };
    private readonly Option<double> _threshold = new("--drift-threshold") { Description = "Relative rise of a device's twin residual that starts a field update.", DefaultValueFactory = _ => 0.15 };
    private readonly Option<TimeSpan> _cooldown = new("--cooldown")
    {
        Description = "No drift update sooner than this after a device's last accepted or refused session (00:10:00).",
        DefaultValueFactory = _ => TimeSpan.FromMinutes(10),
    };

    private readonly Option<int> _driftSamples = new("--drift-samples")
    {
        Description = "Newest measurements of a device the drift score uses.",
        DefaultValueFactory = _ => 300,
    };

    private readonly Option<int> _minimumSamples = new("--drift-min-samples")
    {
        Description = "Fewer measurements than this give no drift score.",
        DefaultValueFactory = _ => 150,
    };

    private readonly Option<TimeSpan> _checkEvery = new("--check-every") { Description = "How often drift is scored (e.g. 00:05:00).", DefaultValueFactory = _ => TimeSpan.FromMinutes(5) };
    private readonly Option<TimeSpan?> _updateEvery = new("--update-every") { Description = "Also re-train each device this often (e.g. 1.00:00:00); default: only on drift." };
    private readonly Option<int> _twinSamples = new("--update-twin-samples")
    {
        Description = "Fresh drives a field update plays to refit the device's twin.",
        DefaultValueFactory = _ => 6_000,
    };

    private readonly Option<int> _epochs = new("--update-epochs") { Description = "PAT epochs of a field update.", DefaultValueFactory = _ => 20 };
    private readonly Option<DirectoryInfo> _packages = new("--update-packages") { Description = "Folder that keeps every field-update package offered ({device}-v{version}.edgepkg).", DefaultValueFactory = _ => new DirectoryInfo("field-updates") };

    /// <summary>The signing key option (commissioning signs with it too).</summary>
    internal Option<FileInfo?> SigningKey => _key;

    /// <summary>The calibration set option (commissioning hashes it into its packages too).</summary>
    internal Option<FileInfo?> Calibration => _calibration;

    /// <summary>The task option (commissioning fine-tunes on it too).</summary>
    internal Option<string> Task => _task;

    /// <summary>The system option (commissioning serves agents of this system).</summary>
    internal Option<string> System => _system;

    /// <summary>Where offered packages are kept (commissioning keeps its packages there too).</summary>
    internal Option<DirectoryInfo> Packages => _packages;

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        Option[] options =
        [
            _watch, _key, _calibration, _task, _system, _threshold, _cooldown, _driftSamples, _minimumSamples,
            _checkEvery, _updateEvery, _twinSamples, _epochs, _packages,
        ];
        foreach (var option in options)
        {
            command.Options.Add(option);
        }
    }

    /// <summary>
    /// When <c>--watch</c> is given, builds the update service over <paramref name="store"/> (its own connection);
    /// otherwise null. Bad options throw <see cref="ArgumentException"/>, unreadable packages <see cref="ModelPackageException"/>.
    /// </summary>
    public async Task<FieldUpdates?> CreateAsync(ParseResult parse, string store, BrokerOptions broker, TrainerMetrics metrics, ILogger logger, CancellationToken cancellationToken)
    {
        var watched = parse.GetValue(_watch) ?? [];
        if (watched.Length == 0)
        {
            return null;
        }

        var policy = Policy(parse);
        var keyFile = parse.GetValue(_key) ?? throw new ArgumentException("--watch needs --signing-key: field updates are signed packages.");
        var calibrationFile = parse.GetValue(_calibration) ?? throw new ArgumentException("--watch needs --calibration: the agents' calibration set is hashed into each package.");
        var system = PhysicalSystems.Get(parse.GetValue(_system)!);
        var task = PatBenchmark.LoadTask(parse.GetValue(_task)!);
        var key = PackageSigning.LoadPrivateKey(keyFile.FullName);
        TrustedKeys? trust = null;
        try
        {
            var settings = new FieldPatSettings
            {
                Broker = broker with { ClientId = broker.ClientId + "-updates" },
                Task = task,
                System = system.Name,
                SigningKey = key,
                CalibrationSet = await File.ReadAllBytesAsync(calibrationFile.FullName, cancellationToken).ConfigureAwait(false),
                Training = FieldPatSettings.FineTuning with { Epochs = BenchCommand.Positive(parse.GetValue(_epochs), "--update-epochs") },
                TwinData = new TwinDataOptions
                {
                    Samples = BenchCommand.Positive(parse.GetValue(_twinSamples), "--update-twin-samples"),
                    NoiseFloorSamples = 200,
                },
                PackageDirectory = parse.GetValue(_packages)!.FullName,
            };
            // The watched packages were signed with this key: verify them, and the kept ones, with its public half.
            trust = TrustedKeys.Of(PackageSigning.PublicKeyOf(key));
            var loader = new FieldPackageLoader(trust, system, task.Test.Count);
            var devices = watched.Select(entry => Load(entry, loader)).ToList();
            var updateStore = await MeasurementStore.OpenAsync(store, cancellationToken).ConfigureAwait(false);
            var session = new FieldPatSession(settings, metrics);
            var service = new FieldUpdateService(updateStore, policy, session, logger, metrics, packages: loader);
            devices.ForEach(service.Track);
            return new FieldUpdates(service, updateStore, key, trust);
        }
        catch
        {
            trust?.Dispose();
            key.Dispose();
            throw;
        }
    }

    /// <summary>The drift watch's policy; each bad value is refused naming its option.</summary>
    private FieldUpdatePolicy Policy(ParseResult parse)
    {
        var threshold = parse.GetValue(_threshold);
        var every = parse.GetValue(_checkEvery);
        var schedule = parse.GetValue(_updateEvery);
        var cooldown = parse.GetValue(_cooldown);
        var (samples, minimum) = (parse.GetValue(_driftSamples), parse.GetValue(_minimumSamples));
        Require(
            double.IsFinite(threshold) && threshold > 0,
            $"--drift-threshold {threshold} must be a positive relative rise (0.15 = 15 %).");
        Require(every > TimeSpan.Zero, $"--check-every {every} must be positive.");
        Require(schedule is null || schedule > TimeSpan.Zero, $"--update-every {schedule} must be positive.");
        Require(cooldown >= TimeSpan.Zero, $"--cooldown {cooldown} must not be negative.");
        Require(
            minimum >= 1 && samples >= minimum,
            $"--drift-min-samples {minimum} must be at least 1 and at most --drift-samples {samples}.");
        return new FieldUpdatePolicy
        {
            DriftThreshold = threshold,
            CheckInterval = every,
            Schedule = schedule,
            Cooldown = cooldown,
            DriftSamples = samples,
            MinimumSamples = minimum,
        }.Validate();

        static void Require(bool valid, string problem)
        {
            if (!valid)
            {
                throw new ArgumentException(problem);
            }
        }
    }

    private static FieldDevice Load(string entry, FieldPackageLoader loader)
    {
        var equals = entry.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0 || equals == entry.Length - 1)
        {
            throw new ArgumentException($"--watch '{entry}': expected DEVICE=PACKAGE.");
        }

        try
        {
            return loader.Load(entry[..equals], entry[(equals + 1)..]);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"--watch '{entry}': {e.Message}", e);
        }
    }
}

/// <summary>A running field-update watch and what it holds open.</summary>
internal sealed class FieldUpdates(
    FieldUpdateService service, MeasurementStore store, IDisposable key, IDisposable trust) : IAsyncDisposable
{
    public FieldUpdateService Service { get; } = service;

    public async ValueTask DisposeAsync()
    {
        await store.DisposeAsync().ConfigureAwait(false);
        trust.Dispose();
        key.Dispose();
    }
}
