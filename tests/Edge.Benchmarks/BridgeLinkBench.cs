using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Edge.Bridge.Emulator;
using Edge.Devices.Bridge;
using Edge.Domain.IO;
using Edge.Domain.Simulation.Electronic;

namespace Edge.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project tests/Edge.Benchmarks -- bridge [--out file.json]</c>: electronic-layer drives
/// through the agent's Bridge backend and the emulated ESP32 over loopback TCP with the serial line rate emulated in
/// both directions. Reports link efficiency (waveform payload ÷ bytes on the line, and the drives' own share) and
/// forwards per second, per baud rate and packing. Prints a markdown table and writes JSON.
/// </summary>
public static class BridgeLinkBench
{
    private const int Drives = 400;

    /// <summary>Runs the bench.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var outPath = args.Length >= 2 && args[0] == "--out" ? args[1] : "artifacts/bench/bridge-link.json";
        var rows = new List<Row>();
        foreach (var baud in new[] { 921_600, 2_000_000 })
        {
            foreach (var (packed, rest) in new[] { (1, 0), (16, 6) })
            {
                Console.Error.WriteLine($"bridge bench: {baud} baud, {packed} drives/request ...");
                rows.Add(await MeasureAsync(baud, packed, rest));
            }
        }

        Console.WriteLine("| baud | drives/request | rest segments | waveform payload ÷ line | drive data ÷ line | forwards/s | retransmissions |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var r in rows)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {r.Baud} | {r.DrivesPerRequest} | {r.RestSegments} | {r.WaveformEfficiency:P1} | {r.DriveEfficiency:P1} | {r.ForwardsPerSecond:F0} | {r.Retransmissions} |"));
        }

        var json = JsonSerializer.Serialize(new { bench = "bridge-link", layer = "electronic", drives = Drives, machine = Environment.MachineName, cores = Environment.ProcessorCount, rows }, new JsonSerializerOptions { WriteIndented = true });
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outPath))!);
        AtomicFile.WriteAllText(outPath, json);
        Console.WriteLine($"wrote {outPath}");
        return 0;
    }

    private static async Task<Row> MeasureAsync(int baud, int drivesPerRequest, int restSegments)
    {
        var rest = restSegments * ElectronicSystem.LayerSpec.Dac.SegmentSeconds;
        var emulator = new BridgeEmulator(ElectronicSystem.Instance, "bench", 1, new LineFaults(baud, 0, 0, 1), rest);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var stop = new CancellationTokenSource();
        var serve = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync(stop.Token);
            client.NoDelay = true;
            emulator.Run(client.GetStream(), stop.Token);
        });

        var options = new BridgeDeviceOptions { DrivesPerRequest = drivesPerRequest, RestSegments = restSegments, WindowSize = 16, RetransmitTimeout = TimeSpan.FromMilliseconds(200) };
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var random = new Random(1);
        var drives = new float[Drives * 24];
        for (var i = 0; i < drives.Length; i++)
        {
            drives[i] = (float)((random.NextDouble() * 2) - 1);
        }

        var responses = new float[Drives * 12];
        Row row;
        await using (var device = await BridgeDevice.OpenTcpAsync(ElectronicSystem.LayerSpec, "bench", "127.0.0.1", port, options))
        {
            // Warm-up outside the measured window (JIT, first frames).
            await device.ForwardAsync(drives.AsMemory(0, 24 * 16), responses.AsMemory(0, 12 * 16));
            var lineBefore = device.LineBytes;
            var payloadBefore = device.PayloadBytes;
            var driveBefore = device.DriveBytes;
            var clock = Stopwatch.StartNew();
            await device.ForwardAsync(drives, responses);
            var seconds = clock.Elapsed.TotalSeconds;
            var line = (double)(device.LineBytes - lineBefore);
            row = new Row(baud, device.DrivesPerRequest, restSegments, (device.PayloadBytes - payloadBefore) / line, (device.DriveBytes - driveBefore) / line, Drives / seconds, device.Retransmissions);
        }

        await stop.CancelAsync();
        try
        {
            await serve;
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }

        return row;
    }

    private sealed record Row(int Baud, int DrivesPerRequest, int RestSegments, double WaveformEfficiency, double DriveEfficiency, double ForwardsPerSecond, int Retransmissions);
}
