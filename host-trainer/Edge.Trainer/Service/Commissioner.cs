using Edge.Domain.Models;
using Edge.Domain.Simulation;
using Edge.Trainer.Bench;
using Edge.Trainer.Live;
using Edge.Trainer.Live.Commissioning;
using Edge.Trainer.Live.Updates;
using Microsoft.Extensions.Logging;

namespace Edge.Trainer.Service;

/// <summary>A running commissioning service and what it holds open (agent directory, store, key and trust).</summary>
internal sealed class Commissioner(
    CommissioningService service, AgentDirectory directory, MeasurementStore store, IDisposable key, IDisposable trust)
    : IAsyncDisposable
{
    public CommissioningService Service { get; } = service;

    /// <summary>
    /// When <paramref name="settings"/> name a product-line package, builds the commissioning service over the store
    /// at <paramref name="connection"/> (its own connection) and starts its agent directory; otherwise null. An
    /// unreadable or untrusted package throws <see cref="ModelPackageException"/> here, at start, not at the first
    /// new agent.
    /// </summary>
    public static async Task<Commissioner?> CreateAsync(
        CommissionSettings settings,
        FieldUpdateSettings updates,
        string connection,
        BrokerOptions broker,
        TrainerMetrics metrics,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        if (settings.Package is not { } package)
        {
            return null;
        }

        var retries = new CommissioningSettings
        {
            ProductLinePackage = Path.GetFullPath(package),
            RetryAfter = settings.Retry,
            MaxRetryAfter = TimeSpan.FromHours(Math.Max(6, settings.Retry.TotalHours)),
        };
        var system = PhysicalSystems.Get(updates.System);
        var task = PatBenchmark.LoadTask(updates.Task);
        var key = PackageSigning.LoadPrivateKey(Path.GetFullPath(updates.SigningKey!));
        TrustedKeys? trust = null;
        MeasurementStore? ledgerStore = null;
        try
        {
            var session = CommissioningDefaults.Session(
                broker with { ClientId = broker.ClientId + "-commission" },
                task,
                system.Name,
                key,
                await File.ReadAllBytesAsync(updates.Calibration!, cancellationToken).ConfigureAwait(false),
                settings.TwinSamples,
                settings.Epochs) with
            {
                PackageDirectory = Path.GetFullPath(updates.UpdatePackages),
            };
            trust = TrustedKeys.Of(PackageSigning.PublicKeyOf(key));
            var loader = new FieldPackageLoader(trust, system, task.Test.Count);
            ModelPackageReader.Read(
                await File.ReadAllBytesAsync(retries.ProductLinePackage, cancellationToken).ConfigureAwait(false),
                trust);
            ledgerStore = await MeasurementStore.OpenAsync(connection, cancellationToken).ConfigureAwait(false);
            var commissioning = new PartCommissioning(
                new FieldPatSession(session, metrics), loader, ledgerStore, retries, logger);
            var directory = new AgentDirectory(broker with { ClientId = broker.ClientId + "-agents" }, logger);
            var service = new CommissioningService(directory, commissioning, system.Name, logger)
            {
                CheckInterval = settings.CheckEvery,
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

    public async ValueTask DisposeAsync()
    {
        await directory.DisposeAsync().ConfigureAwait(false);
        await store.DisposeAsync().ConfigureAwait(false);
        trust.Dispose();
        key.Dispose();
    }
}
