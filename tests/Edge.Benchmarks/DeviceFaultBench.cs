using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Edge.Agent.Configuration;
using Edge.Agent.Hosting;
using Edge.Agent.Inference;
using Edge.Agent.Messaging;
using Edge.Agent.Supervision;
using Edge.Bridge.Emulator;
using Edge.Devices.Bridge;
using Edge.Domain.Data;
using Edge.Domain.Devices;
using Edge.Domain.Models;
using Edge.Domain.Simulation;
using Edge.Trainer.Export;
using Edge.Trainer.Training;
using Edge.Trainer.Twins;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Benchmarks;

/// <summary>
/// <c>device-faults [--repeats N] [--examples N] [--epochs N] [--faults a,b] [--out file.json]</c>: the agent's
/// device supervision
/// under injected faults. A Duffing vowel model with its twin is trained once; then, for each fault, N times: the model
/// classifies the vowel test examples on the healthy device, the fault is injected (the emulated chips' fault file, or
/// the bridge emulator hung or unplugged), examples are classified until the supervisor parks the device (inferences
/// and time to detect), the same examples are classified from the twin (fallback accuracy), the fault is cleared and
/// the time until a probe puts the device back in service is measured. Prints a table and writes JSON.
/// </summary>
internal static class DeviceFaultBench
{
    private const string Part = "fault-bench";
    private static readonly TimeSpan RecoveryPatience = TimeSpan.FromSeconds(10);
    private static readonly SupervisionOptions Supervision = new()
    {
        FirstProbeMilliseconds = 100,
        MaxProbeMilliseconds = 1000,
    };

    public static async Task<int> RunAsync(string[] args)
    {
        var (repeats, examples, epochs, output) = (5, 60, 10, (string?)null);
        var faults = Faults;
        for (var i = 0; i < args.Length - 1; i += 2)
        {
            var value = args[i + 1];
            switch (args[i])
            {
                case "--repeats": repeats = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--examples": examples = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--epochs": epochs = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--out": output = value; break;
                case "--faults": faults = Pick(value); break;
                default:
                    throw new ArgumentException($"Unknown option '{args[i]}'. "
                        + "Options: --repeats N, --examples N, --epochs N, --faults a,b, --out file.json.");
            }
        }

        var task = VowelDataset.Load();
        var test = task.Test;
        examples = Math.Min(examples, test.Count);
        var packages = new Dictionary<string, VerifiedModelPackage>();
        foreach (var name in faults.Select(f => f.System).Distinct())
        {
            Console.WriteLine($"Training a {name} vowel model ({epochs} epochs) and its twin…");
            packages[name] = await TrainAsync(PhysicalSystems.Get(name), task, epochs);
        }

        using var folder = new TempFolder();
        var rows = new JsonArray();
        Console.WriteLine("| fault | runs | inferences to detect (max) | time to detect ms (median / max) "
            + "| device accuracy | fallback accuracy | recovery ms (median / max) |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var fault in faults)
        {
            var runs = new List<Run>();
            for (var r = 0; r < repeats; r++)
            {
                var system = PhysicalSystems.Get(fault.System);
                var faultFile = folder.File($"{fault.Name}-{r}");
                runs.Add(await RunOnceAsync(fault, system, packages[fault.System], test, examples, faultFile));
            }

            rows.Add(Report(fault, runs));
        }

        var result = new JsonObject
        {
            ["repeats"] = repeats,
            ["examples"] = examples,
            ["suspect_calls_to_trip"] = Supervision.SuspectCallsToTrip,
            ["first_probe_ms"] = Supervision.FirstProbeMilliseconds,
            ["max_probe_ms"] = Supervision.MaxProbeMilliseconds,
            ["faults"] = rows,
        };
        if (output is not null)
        {
            BenchJson.Write(result, output);
        }

        return 0;
    }

    // The Direct chips are too slow for the electronic layer, so the chip faults run the Duffing layer.
    private static readonly FaultKind[] Faults =
    [
        new("adc-stuck", "duffing", "MCP4922 + MCP3208, ADC frozen", "mcp4922", "mcp3208"),
        new("adc-saturated", "duffing", "MCP4725 + ADS1115, ADC at full scale", "mcp4725", "ads1115"),
        new("dac-unresponsive", "duffing", "MCP4725 + ADS1115, DAC NACKs every transfer", "mcp4725", "ads1115"),
        new("bridge-hung", "electronic", "bridge emulator, firmware hung", null, null),
        new("bridge-unplugged", "electronic", "bridge emulator, link closed", null, null),
    ];

    /// <summary>The faults named in a comma-separated list, in the bench's order.</summary>
    private static FaultKind[] Pick(string names)
    {
        var wanted = names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var unknown = wanted.Except(Faults.Select(f => f.Name)).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"Unknown fault(s) {string.Join(", ", unknown)}; the bench has "
                + string.Join(", ", Faults.Select(f => f.Name)) + ".");
        }

        return [.. Faults.Where(f => wanted.Contains(f.Name))];
    }

    private static async Task<Run> RunOnceAsync(
        FaultKind fault,
        IPhysicalSystem system,
        VerifiedModelPackage package,
        LabelledSet test,
        int examples,
        string faultFile)
    {
        await using FaultBench bench = fault.Dac is null ? await BridgeBench.OpenAsync(system) : EmulatedBench.Open(
            system, fault, faultFile);
        await using var supervisor = new DeviceSupervisor(
            bench.Device, Supervision, TimeProvider.System, NullLogger<DeviceSupervisor>.Instance);
        using var recovered = new SemaphoreSlim(0);
        long recoveredAt = 0;
        supervisor.StateChanged += change =>
        {
            if (change.Recovered)
            {
                recoveredAt = Stopwatch.GetTimestamp();
                recovered.Release();
            }
        };
        using var model = new HybridModel(package, new DeviceGate(supervisor));
        var device = await AccuracyAsync(model, test, examples, expectDegraded: false);

        bench.Inject(fault);
        // The fault file is read at most every 50 ms: start counting once the fault is surely in force.
        await Task.Delay(150);
        var injected = Stopwatch.GetTimestamp();
        var inferences = 0;
        while (!supervisor.IsParked && inferences < 1000)
        {
            await model.ClassifyAsync(test.Row(inferences % examples).ToArray());
            inferences++;
        }

        var detect = Stopwatch.GetElapsedTime(injected, supervisor.Trip!.At);
        var fallback = await AccuracyAsync(model, test, examples, expectDegraded: true);
        var cleared = Stopwatch.GetTimestamp();
        bench.Clear();
        double? recovery = await recovered.WaitAsync(RecoveryPatience)
            ? Stopwatch.GetElapsedTime(cleared, recoveredAt).TotalMilliseconds
            : null;
        return new Run(inferences, detect.TotalMilliseconds, device, fallback, recovery);
    }

    private static async Task<double> AccuracyAsync(
        HybridModel model, LabelledSet test, int examples, bool expectDegraded)
    {
        var right = 0;
        for (var i = 0; i < examples; i++)
        {
            var result = await model.ClassifyAsync(test.Row(i).ToArray());
            if (result.Degraded != expectDegraded)
            {
                throw new InvalidOperationException(
                    $"Example {i}: degraded = {result.Degraded}, expected {expectDegraded}.");
            }

            right += result.ClassIndex == test.Labels[i] ? 1 : 0;
        }

        return (double)right / examples;
    }

    private static JsonObject Report(FaultKind fault, List<Run> runs)
    {
        static double Median(IEnumerable<double> values)
        {
            var sorted = values.Order().ToArray();
            return sorted.Length == 0 ? double.NaN : sorted[sorted.Length / 2];
        }

        var recoveries = runs.Where(r => r.RecoveryMs is not null).Select(r => r.RecoveryMs!.Value).ToList();
        var row = new JsonObject
        {
            ["fault"] = fault.Name,
            ["system"] = fault.System,
            ["setup"] = fault.Setup,
            ["runs"] = runs.Count,
            ["inferences_to_detect_max"] = runs.Max(r => r.Inferences),
            ["detect_ms_median"] = Math.Round(Median(runs.Select(r => r.DetectMs)), 1),
            ["detect_ms_max"] = Math.Round(runs.Max(r => r.DetectMs), 1),
            ["device_accuracy"] = Math.Round(runs.Average(r => r.DeviceAccuracy), 3),
            ["fallback_accuracy"] = Math.Round(runs.Average(r => r.FallbackAccuracy), 3),
            ["recovered_runs"] = recoveries.Count,
            ["recovery_ms_median"] = recoveries.Count == 0 ? null : Math.Round(Median(recoveries), 1),
            ["recovery_ms_max"] = recoveries.Count == 0 ? null : Math.Round(recoveries.Max(), 1),
        };
        var invariant = CultureInfo.InvariantCulture;
        var partly = recoveries.Count < runs.Count
            ? string.Create(invariant, $" ({recoveries.Count} of {runs.Count})")
            : "";
        var recovery = recoveries.Count == 0
            ? string.Create(invariant, $"not within {RecoveryPatience.TotalSeconds:0} s")
            : string.Create(invariant, $"{row["recovery_ms_median"]} / {row["recovery_ms_max"]}{partly}");
        var detect = string.Create(invariant, $"{row["detect_ms_median"]} / {row["detect_ms_max"]}");
        var accuracy = string.Create(
            invariant, $"{runs.Average(r => r.DeviceAccuracy):P1} | {runs.Average(r => r.FallbackAccuracy):P1}");
        var head = string.Create(invariant, $"| {fault.Name} ({fault.System}; {fault.Setup}) | {runs.Count}");
        Console.WriteLine(string.Create(
            invariant, $"{head} | {row["inferences_to_detect_max"]} | {detect} | {accuracy} | {recovery} |"));
        return row;
    }

    private static async Task<VerifiedModelPackage> TrainAsync(
        IPhysicalSystem system, ClassificationTask task, int epochs)
    {
        // As the bench plays it: the emulated chips' part is noise-free and rests between drives; the bridge's part
        // is trained with the system's own imperfections, as the bridge test part was.
        var part = system.Name == "duffing"
            ? system.CreateDevice(Part, 1, Imperfections.None)
            : system.CreateDevice(Part, 1);
        var data = await TwinData.CollectAsync(
            part, new TwinDataOptions { Samples = 6_000, NoiseFloorSamples = 50 }, seed: 17);
        var fit = new MlpTwinOptions
        {
            Hidden = [128, 128],
            Epochs = 40,
            HalvingEpochs = 15,
            Threads = Environment.ProcessorCount,
        };
        var twin = MlpTwinFitter.Fit(data, fit, seed: 23).Twin;
        var model = PnnArchitectures.ForSystem(
            system.Name, part, task.Train.FeatureCount, task.ClassCount, Math.Max(64, task.Test.Count), seed: 0);
        var trained = await PnnTrainer.TrainAsync(
            model,
            task,
            TrainingMode.Ideal,
            twin,
            data,
            new TrainingOptions { Epochs = epochs, EvaluationPasses = 1, CurveEvery = 0 },
            seed: 0);
        Console.WriteLine(
            string.Create(CultureInfo.InvariantCulture, $"Trained: simulated test accuracy {trained.TestAccuracy:P1}"));
        using var key = PackageSigning.CreateKey();
        using var stream = new MemoryStream();
        ModelPackager.Write(
            stream,
            model,
            twin,
            new PackageMetadata(1, task.Name, task.ClassNames, [0], "device-fault-bench") { Targets = new([Part]) },
            key);
        using var trust = TrustedKeys.Of(PackageSigning.PublicKeyOf(key));
        return ModelPackageReader.Read(stream.ToArray(), trust);
    }

    private sealed record FaultKind(string Name, string System, string Setup, string? Dac, string? Adc);

    private sealed record Run(
        int Inferences, double DetectMs, double DeviceAccuracy, double FallbackAccuracy, double? RecoveryMs);

    private abstract class FaultBench : IAsyncDisposable
    {
        public abstract IPhysicalDevice Device { get; }

        public abstract void Inject(FaultKind fault);

        public abstract void Clear();

        public abstract ValueTask DisposeAsync();
    }

    /// <summary>
    /// The emulated backend as the agent builds it from configuration, its faults switched by the fault file.
    /// </summary>
    private sealed class EmulatedBench(IPhysicalDevice device, string faultFile) : FaultBench
    {
        public override IPhysicalDevice Device => device;

        public static EmulatedBench Open(IPhysicalSystem system, FaultKind fault, string faultFile)
        {
            var options = new DeviceOptions
            {
                System = system.Name,
                DeviceId = Part,
                Seed = 1,
                Backend = DeviceBackends.Emulated,
                // The simulated part the model was trained on starts every drive at rest: let the oscillator settle.
                Direct = new DirectBackendOptions
                {
                    Dac = fault.Dac!,
                    Adc = fault.Adc!,
                    FaultFile = faultFile,
                    InterDriveGapMilliseconds = 60_000,
                },
            };
            return new EmulatedBench(DirectBackendFactory.CreateEmulated(system, options), faultFile);
        }

        public override void Inject(FaultKind fault) => File.WriteAllText(faultFile, fault.Name);

        public override void Clear() => File.Delete(faultFile);

        public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    /// <summary>
    /// The bridge backend on the bridge emulator over loopback TCP. The emulator takes every connection the agent's
    /// reconnection opens, as a bridge on a USB port does; unplugged, it closes the link and refuses connections until
    /// it is plugged back in.
    /// </summary>
    private sealed class BridgeBench : FaultBench
    {
        private readonly BridgeEmulator _emulator;
        private readonly TcpListener _listener;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _serve;
        private readonly Lock _gate = new();
        private BridgeDevice? _device;
        private TcpClient? _client;
        private bool _unplugged;

        private BridgeBench(IPhysicalSystem system)
        {
            var gap = system.DefaultImperfections.SettlingGapSeconds;
            _emulator = new BridgeEmulator(
                system, Part, 1, new LineFaults(0, 0, 0, 1), restSeconds: double.IsFinite(gap) ? gap : 0);
            _listener = new TcpListener(IPAddress.Loopback, 0);
            _listener.Start();
            _serve = Task.Run(ServeAsync);
        }

        public override IPhysicalDevice Device => _device!;

        public static async Task<BridgeBench> OpenAsync(IPhysicalSystem system)
        {
            var bench = new BridgeBench(system);
            bench._device = await BridgeDevice.OpenTcpAsync(
                system.Spec, Part, "127.0.0.1", ((IPEndPoint)bench._listener.LocalEndpoint).Port);
            return bench;
        }

        public override void Inject(FaultKind fault)
        {
            if (fault.Name == "bridge-hung")
            {
                _emulator.Hung = true;
                return;
            }

            lock (_gate)
            {
                _unplugged = true;
                _client?.Dispose();
            }
        }

        public override void Clear()
        {
            _emulator.Hung = false;
            lock (_gate)
            {
                _unplugged = false;
            }
        }

        public override async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            lock (_gate)
            {
                _client?.Dispose();
            }

            await _serve.ContinueWith(_ => { }, TaskScheduler.Default);
            if (_device is not null)
            {
                await _device.DisposeAsync();
            }

            _listener.Dispose();
            _stop.Dispose();
        }

        private async Task ServeAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException
                    or ObjectDisposedException)
                {
                    return;
                }

                lock (_gate)
                {
                    if (_unplugged)
                    {
                        client.Dispose();
                        continue;
                    }

                    _client = client;
                }

                using (client)
                {
                    // Returns when the agent leaves or the cable is pulled (the client disposed).
                    _emulator.Run(client.GetStream(), _stop.Token);
                }
            }
        }
    }

    private sealed class TempFolder : IDisposable
    {
        private readonly string _path = Directory.CreateTempSubdirectory("device-fault-bench-").FullName;

        public string File(string name) => Path.Combine(_path, name);

        public void Dispose() => Directory.Delete(_path, recursive: true);
    }
}
