using System.Diagnostics;
using Edge.Bridge.Emulator;
using Edge.Devices.Bridge;
using Edge.Domain.Simulation;
using Edge.Domain.Simulation.Electronic;

namespace Edge.Bridge.Tests;

/// <summary>
/// The emulated bridge serving loopback TCP, optionally behind a <see cref="LineProxy"/> that can cut or freeze the
/// line, and the agent's bridge device connected to it. Disposes the device before the line and the emulator.
/// </summary>
internal sealed class BridgeRig : IAsyncDisposable
{
    public const string PartId = "bridge-part";
    public const ulong Seed = 5;

    /// <summary>The electronic part's default settling gap: the emulator rests this long between captures.</summary>
    public const double Rest = 20e-6;

    private BridgeRig(EmulatorServer emulator, LineProxy? proxy, BridgeDevice device)
        => (Emulator, Proxy, Device) = (emulator, proxy, device);

    public EmulatorServer Emulator { get; }

    /// <summary>The line between device and emulator, when the rig was opened with one.</summary>
    public LineProxy? Proxy { get; }

    public BridgeDevice Device { get; }

    /// <summary>The line proxy of a rig opened <c>throughProxy</c>.</summary>
    public LineProxy Line => Proxy ?? throw new InvalidOperationException("the rig was opened without a line proxy");

    public static async Task<BridgeRig> OpenAsync(
        LineFaults faults, BridgeDeviceOptions? options = null, bool throughProxy = false)
    {
        var emulator = EmulatorServer.Start(PartId, Seed, faults);
        var proxy = throughProxy ? new LineProxy(emulator.Port) : null;
        try
        {
            var device = await BridgeDevice.OpenTcpAsync(
                ElectronicSystem.LayerSpec,
                PartId,
                "127.0.0.1",
                proxy?.Port ?? emulator.Port,
                options,
                TestContext.Current.CancellationToken);
            return new BridgeRig(emulator, proxy, device);
        }
        catch
        {
            await Close(proxy, emulator);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Device.DisposeAsync();
        await Close(Proxy, Emulator);
    }

    private static async Task Close(LineProxy? proxy, EmulatorServer emulator)
    {
        if (proxy is not null)
        {
            await proxy.DisposeAsync();
        }

        await emulator.DisposeAsync();
    }
}

/// <summary>Drives for the electronic layer and checks of what the bridge answered against the simulation.</summary>
internal static class BridgeChecks
{
    /// <summary><paramref name="count"/> drives in [-1, 1], the same for the same <paramref name="seed"/>.</summary>
    public static float[] Drives(int count, int seed)
    {
        var random = new Random(seed);
        var values = new float[count * 24];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return values;
    }

    /// <summary>
    /// Forwards <paramref name="drives"/> drives and returns the answer with the simulation's. With
    /// <paramref name="twice"/> it forwards them twice and returns the second answer: the circuit remembers the drives
    /// before (whatever an interrupted session left), so the first pass only sets the history both share.
    /// </summary>
    public static async Task<(float[] Measured, float[] Expected)> CompareAsync(
        BridgeDevice device, int drives, int seed, bool twice = false)
    {
        var values = Drives(drives, seed);
        var measured = new float[drives * 12];
        var passes = twice ? 2 : 1;
        for (var pass = 0; pass < passes; pass++)
        {
            await device.ForwardAsync(values, measured, TestContext.Current.CancellationToken);
        }

        var reference = ElectronicSystem.Instance.CreateDevice(
            BridgeRig.PartId,
            BridgeRig.Seed,
            Imperfections.None with { PartSpread = 1, DacQuantisation = true, SettlingGapSeconds = BridgeRig.Rest });
        var expected = new float[passes * measured.Length];
        reference.Forward(twice ? [.. values, .. values] : values, expected);
        return (measured, expected[^measured.Length..]);
    }

    public static void AssertWithinQuantisation(float[] measured, float[] expected)
    {
        var lsb = 8.0 / 4095;
        for (var i = 0; i < measured.Length; i++)
        {
            Assert.True(
                Math.Abs(measured[i] - expected[i]) <= 1.5 * lsb,
                $"value {i}: bridge {measured[i]:F5}, simulation {expected[i]:F5}");
        }
    }

    /// <summary>Waits for a condition; generous (the machine is shared), the conditions themselves are sharp.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "condition not reached in 30 s");
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }
}
