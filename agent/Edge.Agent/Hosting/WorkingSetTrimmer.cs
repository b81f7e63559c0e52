using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;

namespace Edge.Agent.Hosting;

/// <summary>
/// Gives memory the agent only needed while starting back to the system (Linux): a compacting full garbage
/// collection, <c>malloc_trim</c> for what ONNX Runtime freed after building its sessions, and <c>MADV_PAGEOUT</c> on
/// the read-only file mappings (library and assembly code and data), of which loading touched far more than inference
/// runs. Pages used later come back on first touch from the page cache, so this costs a few page faults, never
/// correctness. Run after the model is loaded and after every model change.
/// </summary>
internal static partial class WorkingSetTrimmer
{
    private const int MadvPageout = 21;
    private static bool _pageoutUnsupported;

    /// <summary>Trims now; returns the resident set in bytes before and after (both 0 where /proc is
    /// unavailable).</summary>
    public static (long Before, long After) Trim()
    {
        var before = ResidentBytes();
        ReleaseHeap();
        if (OperatingSystem.IsLinux())
        {
            PageOutReadOnlyFileMappings();
        }

        return (before, ResidentBytes());
    }

    /// <summary>
    /// Returns freed heap memory to the system: a compacting full collection (the large-object heap included, where a
    /// received model offer lives) and <c>malloc_trim</c>. For after a large message, not after every one.
    /// </summary>
    public static void ReleaseHeap()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        try
        {
            _ = MallocTrim(0);
        }
        catch (EntryPointNotFoundException)
        {
            // Not glibc (e.g. musl): nothing to trim this way.
        }
    }

    /// <summary>The process's resident set in bytes from /proc/self/statm, or 0 where it cannot be read.</summary>
    public static long ResidentBytes()
    {
        try
        {
            var fields = File.ReadAllText("/proc/self/statm").Split(' ');
            return long.Parse(fields[1], CultureInfo.InvariantCulture) * Environment.SystemPageSize;
        }
        catch (Exception e)
            when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 0;
        }
    }

    private static void PageOutReadOnlyFileMappings()
    {
        if (_pageoutUnsupported)
        {
            return;
        }

        string[] maps;
        try
        {
            maps = File.ReadAllLines("/proc/self/maps");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }

        foreach (var line in maps)
        {
            // "start-end perms offset dev inode path": only file-backed, non-writable mappings hold nothing but clean
            // pages the kernel can read back; writable ones may hold relocated or modified data and are left alone.
            var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 6 || fields[1].Length < 4 || fields[1][1] == 'w' || !fields[5].StartsWith('/'))
            {
                continue;
            }

            var range = fields[0].Split('-');
            var start = nint.Parse(range[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            var end = nint.Parse(range[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (Madvise(start, (nuint)(end - start), MadvPageout) != 0 && Marshal.GetLastPInvokeError() == 22)
            {
                // EINVAL: a kernel older than 5.4 has no MADV_PAGEOUT.
                _pageoutUnsupported = true;
                return;
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);

    [LibraryImport("libc", EntryPoint = "madvise", SetLastError = true)]
    private static partial int Madvise(nint address, nuint length, int advice);
}
