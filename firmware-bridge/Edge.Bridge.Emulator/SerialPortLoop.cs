using System.IO.Ports;

namespace Edge.Bridge.Emulator;

/// <summary>
/// Serves a serial port across unplugging: when the line fails (the pty's other end closed, a USB adapter pulled) the
/// port is closed and opened again until it works, and each opening is a fresh session of the bridge.
/// </summary>
public static class SerialPortLoop
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(200);

    /// <summary>Runs until <paramref name="cancellationToken"/> fires; 1 if the port never opened, else 0.</summary>
    public static async Task<int> RunAsync(
        BridgeEmulator emulator,
        string path,
        int baud,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(emulator);
        var opened = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            var port = new SerialPort(path, Math.Max(baud, 9600));
            try
            {
                port.Open();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException
                or InvalidOperationException)
            {
                port.Dispose();
                if (!opened)
                {
                    await Console.Error.WriteLineAsync($"Cannot open serial port '{path}': {e.Message}")
                        .ConfigureAwait(false);
                    return 1;
                }

                await Task.Delay(RetryDelay, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default)
                    .ConfigureAwait(false);
                continue;
            }

            opened = true;
            using (port)
            {
                await Task.Run(() => emulator.Run(port.BaseStream, cancellationToken), CancellationToken.None)
                    .ConfigureAwait(false);
            }

            await ReportAsync(emulator).ConfigureAwait(false);
            await Task.Delay(RetryDelay, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default)
                .ConfigureAwait(false);
        }

        return 0;
    }

    /// <summary>Prints how the last session went, on stdout.</summary>
    public static Task ReportAsync(BridgeEmulator emulator)
    {
        ArgumentNullException.ThrowIfNull(emulator);
        return Console.Out.WriteLineAsync(
            $"session {emulator.Sessions - 1} ended ({emulator.LastSessionEnd}): first sequence "
            + $"{emulator.LastInitialSequence}, {emulator.Firmware?.CapturesDone ?? 0} captures, "
            + $"{emulator.Faults.Lost} bytes lost and {emulator.Faults.Corrupted} corrupted so far");
    }
}
