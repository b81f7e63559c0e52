using Edge.Domain.Models;
using Edge.Domain.Simulation;
using Edge.Trainer.Bench;
using Edge.Trainer.Live;
using Edge.Trainer.Live.Updates;
using Edge.Trainer.Twins;
using Microsoft.Extensions.Logging;

namespace Edge.Trainer.Service;

/// <summary>A running field-update watch and what it holds open (its store connection, key and trust).</summary>
internal sealed class FieldUpdates(
    FieldUpdateService service, MeasurementStore store, IDisposable key, IDisposable trust) : IAsyncDisposable
{
    public FieldUpdateService Service { get; } = service;

    /// <summary>
    /// When <paramref name="settings"/> watch a device, builds the update service over the store at
    /// <paramref name="connection"/> (its own connection); otherwise null. Unreadable packages throw
    /// <see cref="ModelPackageException"/>, an unknown task or system <see cref="ArgumentException"/>.
    /// </summary>
    public static async Task<FieldUpdates?> CreateAsync(
        FieldUpdateSettings settings,
        string connection,
        BrokerOptions broker,
        TrainerMetrics metrics,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        if (settings.Watch.Count == 0)
        {
            return null;
        }

        var policy = settings.Policy().Validate();
        var system = PhysicalSystems.Get(settings.System);
        var task = PatBenchmark.LoadTask(settings.Task);
        var key = PackageSigning.LoadPrivateKey(Path.GetFullPath(settings.SigningKey!));
        TrustedKeys? trust = null;
        try
        {
            var patSettings = new FieldPatSettings
            {
                Broker = broker with { ClientId = broker.ClientId + "-updates" },
                Task = task,
                System = system.Name,
                SigningKey = key,
                CalibrationSet = await File.ReadAllBytesAsync(settings.Calibration!, cancellationToken)
                    .ConfigureAwait(false),
                Training = FieldPatSettings.FineTuning with { Epochs = settings.UpdateEpochs },
                TwinData = new TwinDataOptions { Samples = settings.UpdateTwinSamples, NoiseFloorSamples = 200 },
                PackageDirectory = Path.GetFullPath(settings.UpdatePackages),
            };
            // The watched packages were signed with this key: verify them, and the kept ones, with its public half.
            trust = TrustedKeys.Of(PackageSigning.PublicKeyOf(key));
            var loader = new FieldPackageLoader(trust, system, task.Test.Count);
            var devices = settings.Watch.Select(entry => Load(entry, loader)).ToList();
            var updateStore = await MeasurementStore.OpenAsync(connection, cancellationToken).ConfigureAwait(false);
            var session = new FieldPatSession(patSettings, metrics);
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

    public async ValueTask DisposeAsync()
    {
        await store.DisposeAsync().ConfigureAwait(false);
        trust.Dispose();
        key.Dispose();
    }

    private static FieldDevice Load(string entry, FieldPackageLoader loader)
    {
        var equals = entry.IndexOf('=', StringComparison.Ordinal);
        try
        {
            return loader.Load(entry[..equals], entry[(equals + 1)..]);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"{FieldUpdateSettings.SectionName}:Watch '{entry}': {e.Message}", e);
        }
    }
}
