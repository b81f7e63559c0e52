namespace Edge.Agent.Models;

/// <summary>Recognises a full disk and says so in words an operator can act on.</summary>
internal static class StoreDiskSpace
{
    /// <summary>Room kept for the state files beyond a package's own size.</summary>
    public const long StateReserveBytes = 256 * 1024;

    private const int NoSpace = 28; // ENOSPC
    private const int QuotaExceeded = 122; // EDQUOT on Linux
    private const int WindowsDiskFull = 112; // ERROR_DISK_FULL
    private const int WindowsHandleDiskFull = 39; // ERROR_HANDLE_DISK_FULL

    /// <summary>True when <paramref name="error"/> (or an inner exception) means the volume is full.</summary>
    public static bool IsFull(Exception? error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is IOException && (e.HResult & 0xFFFF) is NoSpace or QuotaExceeded or WindowsDiskFull
                or WindowsHandleDiskFull)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Why an offer cannot be stored for lack of space, or null when there is room (or it is unknown).
    /// </summary>
    public static string? Shortfall(StoreFileSystem files, string directory, long packageBytes)
    {
        if (files.AvailableBytes(directory) is not { } free)
        {
            return null;
        }

        var needed = packageBytes + StateReserveBytes;
        return free >= needed
            ? null
            : $"Not enough disk space for the model store '{directory}': the package needs {packageBytes} bytes plus "
                + $"{StateReserveBytes} for the store's state, only {free} are free. Free space and offer it again.";
    }

    /// <summary>The refusal reason for a write that ran out of space.</summary>
    public static string Full(string directory, string during, Exception error)
        => $"No disk space left for the model store '{directory}' while {during} ({error.Message}). Nothing was "
            + "changed; free space and offer it again.";
}
