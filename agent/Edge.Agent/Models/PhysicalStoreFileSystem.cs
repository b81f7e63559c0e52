using System.Runtime.InteropServices;

namespace Edge.Agent.Models;

/// <summary>
/// <see cref="StoreFileSystem"/> on the real disk. A folder is flushed with <c>open</c> + <c>fsync</c> (.NET has no
/// API for it) on Linux, where a rename is durable only once its folder is; elsewhere the file system journals it.
/// </summary>
internal sealed partial class PhysicalStoreFileSystem : StoreFileSystem
{
    public override Stream CreateNew(string path) => new FileStream(path, FileMode.CreateNew, FileAccess.Write);

    public override void FlushToDisk(Stream file, string path)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (file is FileStream stream)
        {
            stream.Flush(flushToDisk: true);
        }
        else
        {
            file.Flush();
        }
    }

    public override void Move(string source, string destination) => File.Move(source, destination, overwrite: true);

    public override void Delete(string path) => File.Delete(path);

    public override void FlushDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        // O_RDONLY (0) opens a folder on every Linux architecture; O_DIRECTORY's value differs between them.
        var descriptor = Open(directory, 0);
        if (descriptor < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"Cannot open the folder '{directory}' to flush it (errno {errno}).", errno);
        }

        try
        {
            if (Fsync(descriptor) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                throw new IOException($"Cannot flush the folder '{directory}' to disk (errno {errno}).", errno);
            }
        }
        finally
        {
            _ = Close(descriptor);
        }
    }

    public override long? AvailableBytes(string directory)
    {
        try
        {
            return new DriveInfo(Path.GetFullPath(directory)).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int descriptor);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int descriptor);
}
