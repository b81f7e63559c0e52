using Edge.Domain.Models;

namespace Edge.Agent.Models;

/// <summary>
/// Writes an incoming package to <c>&lt;store&gt;/incoming/&lt;id&gt;.tmp</c>, refusing anything over the hard cap, so
/// the payload is copied at most once (from the caller's buffer or stream to disk) and never held in memory by the
/// store. Left-over spool files of a crashed agent are deleted when the spool is opened.
/// </summary>
internal sealed class OfferSpool
{
    private readonly string _directory;
    private readonly long _maxBytes;

    /// <summary>Uses <c>incoming</c> under <paramref name="storeDirectory"/>, capped at <paramref name="maxBytes"/>.
    /// </summary>
    public OfferSpool(string storeDirectory, long maxBytes)
    {
        _directory = Path.Combine(storeDirectory, "incoming");
        _maxBytes = maxBytes;
        Directory.CreateDirectory(_directory);
        foreach (var stale in Directory.GetFiles(_directory, "*.tmp"))
        {
            File.Delete(stale);
        }
    }

    /// <summary>Spools <paramref name="package"/>; over the cap it is a <see cref="ModelPackageException"/>.</summary>
    public SpooledPackage Spool(ReadOnlySpan<byte> package)
    {
        if (package.Length > _maxBytes)
        {
            throw new ModelPackageException($"Package is {package.Length} bytes; the limit is {_maxBytes}.");
        }

        var spooled = new SpooledPackage(NewPath());
        try
        {
            using var file = new FileStream(spooled.Path, FileMode.CreateNew, FileAccess.Write);
            file.Write(package);
            file.Flush(flushToDisk: true);
        }
        catch
        {
            spooled.Dispose();
            throw;
        }

        return spooled;
    }

    /// <summary>Spools <paramref name="package"/>, stopping at the cap (<see cref="ModelPackageException"/>).</summary>
    public async Task<SpooledPackage> SpoolAsync(Stream package, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(package);
        var spooled = new SpooledPackage(NewPath());
        try
        {
            await using var file = new FileStream(spooled.Path, FileMode.CreateNew, FileAccess.Write);
            var chunk = new byte[81920];
            long total = 0;
            int read;
            while ((read = await package.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                total += read;
                if (total > _maxBytes)
                {
                    throw new ModelPackageException($"Package exceeds the limit of {_maxBytes} bytes.");
                }

                await file.WriteAsync(chunk.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            }

            file.Flush(flushToDisk: true);
        }
        catch
        {
            spooled.Dispose();
            throw;
        }

        return spooled;
    }

    private string NewPath() => Path.Combine(_directory, $"{Guid.NewGuid():N}.tmp");
}

/// <summary>A package on disk in the spool; deleted on dispose unless it was moved into the store.</summary>
internal sealed class SpooledPackage(string path) : IDisposable
{
    /// <summary>Where the package is now.</summary>
    public string Path { get; private set; } = path;

    private bool _kept;

    /// <summary>Moves the file to <paramref name="destination"/> (same volume: a rename); it is then kept.</summary>
    public void MoveTo(string destination)
    {
        File.Move(Path, destination, overwrite: true);
        Path = destination;
        _kept = true;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_kept)
        {
            File.Delete(Path);
        }
    }
}
