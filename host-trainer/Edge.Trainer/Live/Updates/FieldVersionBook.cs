using System.Globalization;
using Edge.Domain.IO;

namespace Edge.Trainer.Live.Updates;

/// <summary>
/// Hands out model version numbers and keeps the packages offered: a number is never used twice for one device
/// (the next is above every version in the ledger, the version the agent runs and every package kept on disk), so
/// a package file is never overwritten, and each offer is recorded with its hash before it goes out.
/// </summary>
/// <param name="ledger">The trainer's ledger.</param>
/// <param name="packageDirectory">Where packages are kept (<c>{device}-v{version}.edgepkg</c>); null: nowhere.</param>
/// <param name="clock">The time recorded with each version.</param>
public sealed class FieldVersionBook(FieldUpdateLedger ledger, string? packageDirectory, TimeProvider clock)
{
    /// <summary>The ledger behind the book.</summary>
    public FieldUpdateLedger Ledger { get; } = ledger ?? throw new ArgumentNullException(nameof(ledger));

    /// <summary>Where <paramref name="version"/> of <paramref name="deviceId"/> is kept (null: nowhere).</summary>
    public string? PathOf(string deviceId, int version) => packageDirectory is null
        ? null
        : Path.Combine(packageDirectory, string.Create(CultureInfo.InvariantCulture, $"{deviceId}-v{version}.edgepkg"));

    /// <summary>The number the next package for <paramref name="device"/> gets.</summary>
    public async Task<int> NextAsync(FieldDevice device, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(device);
        var recorded = await Ledger.MaxVersionAsync(device.DeviceId, cancellationToken).ConfigureAwait(false);
        var highest = Math.Max(device.Version, recorded);
        // Packages on disk count too: a ledger that was reset must not lead to a kept package being overwritten.
        while (PathOf(device.DeviceId, highest + 1) is { } path && File.Exists(path))
        {
            highest++;
        }

        return highest + 1;
    }

    /// <summary>
    /// Keeps <paramref name="package"/> as <paramref name="version"/> of <paramref name="deviceId"/> and records it
    /// as offered; returns its hash.
    /// </summary>
    /// <exception cref="InvalidOperationException">The version is taken (by a file, or by other content).</exception>
    public async Task<string> RecordOfferAsync(
        string deviceId, int version, byte[] package, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(package);
        var hash = FieldPackageLoader.Hash(package);
        var path = PathOf(deviceId, version);
        if (path is not null)
        {
            if (File.Exists(path))
            {
                throw new InvalidOperationException(
                    $"Version {version} of '{deviceId}' is already kept in '{path}'; it is not overwritten.");
            }

            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            AtomicFile.Write(path, stream => stream.Write(package));
        }

        var stored = await Ledger.RegisterAsync(
            deviceId, version, hash, FieldVersionState.Offered, path, clock.GetUtcNow(), cancellationToken)
            .ConfigureAwait(false);
        return stored.Sha256 == hash
            ? hash
            : throw new InvalidOperationException(
                $"Version {version} of '{deviceId}' is already recorded with other content; a number is never reused.");
    }
}
