using Edge.Domain.Models;

namespace Edge.Agent.Models;

/// <summary>
/// Writes an incoming package to <c>&lt;store&gt;/incoming/&lt;id&gt;.tmp</c>, refusing anything over the hard cap, so
/// the payload is copied at most once (from the caller's buffer or stream to disk) and never held in memory by the
/// store. The file is flushed to disk before it is verified, so the package moved into the store is durable.
/// Left-over spool files of a crashed agent are removed (and reported) when the store opens.
/// </summary>
internal sealed class OfferSpool
{
    private readonly StoreFileSystem _files;
    private readonly string _directory;
    private readonly long _maxBytes;

    /// <summary>Uses <paramref name="directory"/>, capped at <paramref name="maxBytes"/>.</summary>
    public OfferSpool(StoreFileSystem files, string directory, long maxBytes)
    {
        (_files, _directory, _maxBytes) = (files, directory, maxBytes);
        Directory.CreateDirectory(_directory);
    }

    /// <summary>Spools <paramref name="package"/>; over the cap it is a <see cref="ModelPackageException"/>.</summary>
    public SpooledPackage Spool(ReadOnlySpan<byte> package)
    {
        if (package.Length > _maxBytes)
        {
            throw new ModelPackageException($"Package is {package.Length} bytes; the limit is {_maxBytes}.");
        }

        var spooled = new SpooledPackage(_files, NewPath());
        try
        {
            using var file = _files.CreateNew(spooled.Path);
            file.Write(package);
            _files.FlushToDisk(file, spooled.Path);
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
        var spooled = new SpooledPackage(_files, NewPath());
        try
        {
            await using var file = _files.CreateNew(spooled.Path);
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

            _files.FlushToDisk(file, spooled.Path);
        }
        catch
        {
            spooled.Dispose();
            throw;
        }

        return spooled;
    }

    private string NewPath() => Path.Combine(_directory, $"{Guid.NewGuid():N}{DurableWrite.TemporaryExtension}");
}

/// <summary>A package on disk in the spool; deleted on dispose unless it was moved into the store.</summary>
internal sealed class SpooledPackage(StoreFileSystem files, string path) : IDisposable
{
    /// <summary>Where the package is now.</summary>
    public string Path { get; private set; } = path;

    private bool _kept;

    /// <summary>
    /// Moves the file to <paramref name="destination"/> (same volume: a rename) and flushes the destination folder,
    /// so the package is durable under its new name; it is then kept.
    /// </summary>
    public void MoveTo(string destination)
    {
        files.Move(Path, destination);
        Path = destination;
        _kept = true;
        files.FlushDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(destination))!);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_kept)
        {
            DurableWrite.TryDelete(files, Path);
        }
    }
}
