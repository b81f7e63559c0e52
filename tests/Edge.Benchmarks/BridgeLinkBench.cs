using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Edge.Bridge.Emulator;
using Edge.Devices.Bridge;
using Edge.Domain.IO;
using Edge.Domain.Simulation;
using Edge.Domain.Simulation.Electronic;

namespace Edge.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project tests/Edge.Benchmarks -- bridge [--out file.json]</c>: electronic-layer drives
/// through the agent's Bridge backend and the emulated ESP32 over loopback TCP with the serial line rate emulated in
/// both directions, at 115 200 … 2 000 000 baud (<c>EDGE_BENCH_PROFILE=quick</c>: 115 200, 921 600 and 2 000 000),
/// unpacked and packed, with 0, 0.1 % and 1 % of the bytes lost in each direction, with the shipped link options
/// (payload and retry budget tune themselves to the measured loss). Every run must complete with exact data — each
/// response within 1.5 ADC LSB of the noise-free part played with the same history — or the bench fails. Reports
/// link efficiency (waveform payload ÷ bytes on the line, and the drives' own share) and forwards per second. Prints
/// a markdown table and writes JSON.
/// </summary>
public static class BridgeLinkBench
{
    private const int Drives = 400;
    private const int WarmUpDrives = 16;
    private const int FaultSeed = 1;
    private const double LsbVolts = 8.0 / 4095;
    private const double ExactLsb = 1.5;

    /// <summary>Runs the bench.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var outPath = args.Length >= 2 && args[0] == "--out" ? args[1] : "artifacts/bench/bridge-link.json";
        var rows = new List<Row>();
        var quick = Environment.GetEnvironmentVariable("EDGE_BENCH_PROFILE") == "quick";
        int[] bauds = quick ? [115_200, 921_600, 2_000_000] : [115_200, 230_400, 460_800, 921_600, 2_000_000];
        foreach (var baud in bauds)
        {
            foreach (var loss in new[] { 0, 0.001, 0.01 })
            {
                foreach (var (packed, rest) in new[] { (1, 0), (16, 6) })
                {
                    Console.Error.WriteLine(string.Create(
                        CultureInfo.InvariantCulture,
                        $"bridge bench: {baud} baud, loss {loss:P1}, {packed} drives/request ..."));
                    rows.Add(await MeasureAsync(baud, loss, packed, rest));
                }
            }
        }

        Console.WriteLine("| baud | byte loss | request payload (tuned) | retry limit (tuned) | drives/request "
            + "| rest segments | waveform payload ÷ line | drive data ÷ line | forwards/s | retransmissions "
            + "| max error (LSB) |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in rows)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Baud} | {r.LossRate:P1} | {r.RequestPayload} | {r.RetryLimit} | {r.DrivesPerRequest} "
                + $"| {r.RestSegments} | "
                + $"{r.WaveformEfficiency:P1} | {r.DriveEfficiency:P1} | {r.ForwardsPerSecond:F0} | "
                + $"{r.Retransmissions} | "
                + $"{r.MaxErrorLsb:F2} |"));
        }

        var json = JsonSerializer.Serialize(
            new
            {
                bench = "bridge-link",
                layer = "electronic",
                drives = Drives,
                faultSeed = FaultSeed,
                machine = Environment.MachineName,
                cores = Environment.ProcessorCount,
                rows,
            },
            new JsonSerializerOptions { WriteIndented = true });
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outPath))!);
        AtomicFile.WriteAllText(outPath, json);
        Console.WriteLine($"wrote {outPath}");
        var inexact = rows.Where(r => !(r.MaxErrorLsb <= ExactLsb)).ToList();
        if (inexact.Count > 0)
        {
            await Console.Error.WriteLineAsync($"bridge bench: {inexact.Count} runs did not complete with exact data.");
            return 1;
        }

        return 0;
    }

    private static async Task<Row> MeasureAsync(int baud, double loss, int drivesPerRequest, int restSegments)
    {
        // Packed drives rest at the safe code between them; unpacked ones get the layer's settling gap between
        // requests.
        var rest = restSegments > 0
            ? restSegments * ElectronicSystem.LayerSpec.Dac.SegmentSeconds
            : ElectronicImperfections.SettlingGapSeconds;
        var faults = new LineFaults(baud, loss, 0, FaultSeed);
        var emulator = new BridgeEmulator(ElectronicSystem.Instance, "bench", 1, faults, rest);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var stop = new CancellationTokenSource();
        var serve = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync(stop.Token);
            client.NoDelay = true;
            emulator.Run(client.GetStream(), stop.Token);
        });

        // The shipped options but for the line rate and the packing asked for: payload and retry budget are the
        // link's own choice from the loss it measures (LinkTuning), not set per row.
        var options = new BridgeDeviceOptions
        {
            DrivesPerRequest = drivesPerRequest,
            RestSegments = restSegments,
            BaudRate = baud,
        };
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var random = new Random(1);
        var drives = new float[(WarmUpDrives + Drives) * 24];
        for (var i = 0; i < drives.Length; i++)
        {
            drives[i] = (float)((random.NextDouble() * 2) - 1);
        }

        var responses = new float[(WarmUpDrives + Drives) * 12];
        Row row;
        await using (var device = await BridgeDevice.OpenTcpAsync(ElectronicSystem.LayerSpec, "bench", "127.0.0.1",
            port, options))
        {
            // Warm-up outside the measured window (JIT, first frames, first round-trip samples).
            await device.ForwardAsync(drives.AsMemory(0, 24 * WarmUpDrives), responses.AsMemory(0, 12 * WarmUpDrives));
            var lineBefore = device.LineBytes;
            var payloadBefore = device.PayloadBytes;
            var driveBefore = device.DriveBytes;
            var retransmissionsBefore = device.Retransmissions;
            var clock = Stopwatch.StartNew();
            var failure = await TryForwardAsync(
                device, drives.AsMemory(24 * WarmUpDrives), responses.AsMemory(12 * WarmUpDrives));
            var seconds = clock.Elapsed.TotalSeconds;
            var line = (double)(device.LineBytes - lineBefore);
            var status = device.GetStatus().Figures;
            row = new Row(
                baud,
                loss,
                (int)status.GetValueOrDefault("requestPayloadBytes"),
                (int)status.GetValueOrDefault("retryLimit"),
                device.DrivesPerRequest,
                restSegments,
                (device.PayloadBytes - payloadBefore) / line,
                (device.DriveBytes - driveBefore) / line,
                Drives / seconds,
                device.Retransmissions - retransmissionsBefore + emulator.Firmware!.Link.Retransmissions,
                faults.Lost,
                failure is null ? MaxErrorLsb(drives, responses, rest) : null,
                failure);
        }

        await stop.CancelAsync();
        await serve;
        return row;
    }

    /// <summary>Largest difference to the noise-free part that played the same drives with the same rests, in
    /// ADC LSB.</summary>
    private static double MaxErrorLsb(float[] drives, float[] responses, double restSeconds)
    {
        // The emulator's board is the part of that id with the system's component spread (BenchBoard), noise-free.
        var spread = ElectronicSystem.Instance.DefaultImperfections.PartSpread;
        var reference = ElectronicSystem.Instance.CreateDevice(
            "bench",
            1,
            Imperfections.None with { PartSpread = spread, DacQuantisation = true, SettlingGapSeconds = restSeconds });
        var expected = new float[responses.Length];
        reference.Forward(drives, expected);
        var worst = 0.0;
        for (var i = 0; i < responses.Length; i++)
        {
            worst = Math.Max(worst, Math.Abs(responses[i] - expected[i]) / LsbVolts);
        }

        return worst;
    }

    private sealed record Row(
        int Baud,
        double LossRate,
        int RequestPayload,
        int RetryLimit,
        int DrivesPerRequest,
        int RestSegments,
        double WaveformEfficiency,
        double DriveEfficiency,
        double ForwardsPerSecond,
        long Retransmissions,
        long BytesLost,
        double? MaxErrorLsb,
        string? Failure);

    private static async Task<string?> TryForwardAsync(
        BridgeDevice device,
        ReadOnlyMemory<float> drives,
        Memory<float> responses)
    {
        try
        {
            await device.ForwardAsync(drives, responses);
            return null;
        }
        catch (Exception e) when (e is IOException or TimeoutException)
        {
            Console.Error.WriteLine($"bridge bench: the run did not complete: {e.Message}");
            return e.Message;
        }
    }
}
