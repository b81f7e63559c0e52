using System.CommandLine;
using Edge.Domain.Models;
using Edge.Domain.Simulation;
using Edge.Trainer.Bench;
using Edge.Trainer.Live;
using Edge.Trainer.Live.Commissioning;
using Edge.Trainer.Live.Updates;
using Microsoft.Extensions.Logging;

namespace Edge.Trainer.Cli;

/// <summary>
/// The <c>serve</c> options that turn on automatic commissioning: the product-line package every new part starts
/// from, how hard a commissioning trains and how it retries. The signing key, calibration set, task, system and
/// package folder are the field-update options' (<paramref name="updates"/>).
/// </summary>
internal sealed class CommissionCliOptions(FieldUpdateOptions updates)
{
    private readonly Option<FileInfo?> _package = new("--commission")
    {
        Description = "Product-line package: commission every new agent of --system from it, once (turns it on).",
    };

    private readonly Option<int> _twinSamples = new("--commission-twin-samples")
    {
        Description = "Drives played through a new part to fit its own twin.",
        DefaultValueFactory = _ => CommissioningDefaults.TwinSamples,
    };

    private readonly Option<int> _epochs = new("--commission-epochs")
    {
        Description = "PAT epochs of the fine-tune through the new part.",
        DefaultValueFactory = _ => CommissioningDefaults.Epochs,
    };

    private readonly Option<TimeSpan> _retry = new("--commission-retry")
    {
        Description = "Wait after a refused or failed commissioning, doubled at each further one (up to 6 h).",
        DefaultValueFactory = _ => TimeSpan.FromMinutes(5),
    };

    private readonly Option<TimeSpan> _checkEvery = new("--commission-check-every")
    {
        Description = "How often the trainer looks for new agents.",
        DefaultValueFactory = _ => TimeSpan.FromSeconds(10),
    };

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _package, _twinSamples, _epochs, _retry, _checkEvery })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>
    /// When <c>--commission</c> is given, builds the commissioning service over <paramref name="store"/> (its own
    /// connection) and starts its agent directory; otherwise null. Bad options throw <see cref="ArgumentException"/>.
    /// </summary>
    public async Task<Commissioner?> CreateAsync(
        ParseResult parse,
        string store,
        BrokerOptions broker,
        TrainerMetrics metrics,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        if (parse.GetValue(_package) is not { } package)
        {
            return null;
        }

        var keyFile = parse.GetValue(updates.SigningKey)
            ?? throw new ArgumentException(
                "--commission needs --signing-key: commissioned models are signed packages.");
        var calibrationFile = parse.GetValue(updates.Calibration)
            ?? throw new ArgumentException("--commission needs --calibration: the agents' calibration set is hashed "
                + "into each package.");
        var retry = parse.GetValue(_retry);
        var every = parse.GetValue(_checkEvery);
        if (every <= TimeSpan.Zero)
        {
            throw new ArgumentException($"--commission-check-every {every} must be positive.");
        }

        var settings = new CommissioningSettings
        {
            ProductLinePackage = package.FullName,
            RetryAfter = retry > TimeSpan.Zero
                ? retry
                : throw new ArgumentException($"--commission-retry {retry} must be positive."),
            MaxRetryAfter = TimeSpan.FromHours(Math.Max(6, retry.TotalHours)),
        };
        var system = PhysicalSystems.Get(parse.GetValue(updates.System)!);
        var task = PatBenchmark.LoadTask(parse.GetValue(updates.Task)!);
        var key = PackageSigning.LoadPrivateKey(keyFile.FullName);
        TrustedKeys? trust = null;
        MeasurementStore? ledgerStore = null;
        try
        {
            var fieldSettings = CommissioningDefaults.Session(
                broker with { ClientId = broker.ClientId + "-commission" },
                task,
                system.Name,
                key,
                await File.ReadAllBytesAsync(calibrationFile.FullName, cancellationToken).ConfigureAwait(false),
                BenchCommand.Positive(parse.GetValue(_twinSamples), "--commission-twin-samples"),
                BenchCommand.Positive(parse.GetValue(_epochs), "--commission-epochs")) with
            {
                PackageDirectory = parse.GetValue(updates.Packages)!.FullName,
            };
            trust = TrustedKeys.Of(PackageSigning.PublicKeyOf(key));
            var loader = new FieldPackageLoader(trust, system, task.Test.Count);
            // Read once now: an unreadable or untrusted package is an error at start, not at the first new agent.
            ModelPackageReader.Read(await File.ReadAllBytesAsync(package.FullName, cancellationToken)
                .ConfigureAwait(false), trust);
            ledgerStore = await MeasurementStore.OpenAsync(store, cancellationToken).ConfigureAwait(false);
            var session = new FieldPatSession(fieldSettings, metrics);
            var commissioning = new PartCommissioning(session, loader, ledgerStore, settings, logger);
            var directory = new AgentDirectory(broker with { ClientId = broker.ClientId + "-agents" }, logger);
            var service = new CommissioningService(directory, commissioning, system.Name, logger)
            {
                CheckInterval = every,
            };
            directory.Start();
            return new Commissioner(service, directory, ledgerStore, key, trust);
        }
        catch
        {
            if (ledgerStore is not null)
            {
                await ledgerStore.DisposeAsync().ConfigureAwait(false);
            }

            trust?.Dispose();
            key.Dispose();
            throw;
        }
    }
}

/// <summary>A running commissioning service and what it holds open.</summary>
internal sealed class Commissioner(
    CommissioningService service, AgentDirectory directory, MeasurementStore store, IDisposable key, IDisposable trust)
    : IAsyncDisposable
{
    public CommissioningService Service { get; } = service;

    public async ValueTask DisposeAsync()
    {
        await directory.DisposeAsync().ConfigureAwait(false);
        await store.DisposeAsync().ConfigureAwait(false);
        trust.Dispose();
        key.Dispose();
    }
}
