namespace Edge.Agent.Models;

/// <summary>
/// Every change the model store makes on disk, as separate steps: create a file, flush it to disk, rename, flush a
/// folder's entries, delete. The store reads through <see cref="System.IO"/> directly but never writes around this
/// class, so a subclass sees (and may stop, count or fail) each write step: fault tests use it to cut the power after
/// step k of an install, or to run out of disk space.
/// </summary>
public abstract class StoreFileSystem
{
    /// <summary>The real file system, with <c>fsync</c> for files and folders.</summary>
    public static StoreFileSystem Physical { get; } = new PhysicalStoreFileSystem();

    /// <summary>Creates <paramref name="path"/> (it must not exist) for writing; the data is not durable yet.</summary>
    public abstract Stream CreateNew(string path);

    /// <summary>Flushes <paramref name="file"/> (created by <see cref="CreateNew"/> at <paramref name="path"/>) to
    /// the disk: its content survives a power loss from now on.</summary>
    public abstract void FlushToDisk(Stream file, string path);

    /// <summary>Renames <paramref name="source"/> to <paramref name="destination"/>, replacing it atomically.</summary>
    public abstract void Move(string source, string destination);

    /// <summary>Deletes <paramref name="path"/> if it exists.</summary>
    public abstract void Delete(string path);

    /// <summary>Flushes the entries of <paramref name="directory"/> (names created, renamed or deleted in it) to the
    /// disk.</summary>
    public abstract void FlushDirectory(string directory);

    /// <summary>Bytes free for the store under <paramref name="directory"/>, or null when unknown.</summary>
    public abstract long? AvailableBytes(string directory);
}
