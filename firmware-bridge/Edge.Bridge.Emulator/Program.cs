using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using Edge.Bridge.Emulator;
using Edge.Domain.Simulation;
using Edge.Domain.Simulation.Field;

var system = new Option<string>("--system") { Description = "Layer to emulate: electronic, mechanical or duffing.",
    DefaultValueFactory = _ => "electronic" };
var deviceId = new Option<string>("--device-id") { Description = "Part id (fixes its component values).",
    DefaultValueFactory = _ => "bridge-0001" };
var seed = new Option<ulong>("--seed") { Description = "Seed of the simulated part.", DefaultValueFactory = _ => 1 };
var profile = new Option<string>("--profile")
{
    Description = "lab (ideal converters) or field (the ESP32 ADC's INL ±12 LSB and DNL ±7 LSB).",
    DefaultValueFactory = _ => "lab",
};
var tcp = new Option<int?>("--tcp") { Description = "Listen on this loopback TCP port (0 picks one and prints it)." };
var serial = new Option<string?>("--serial") { Description =
    "Open this serial port, e.g. one end of a socat pty pair." };
var baud = new Option<int>("--baud") { Description = "Line rate in baud (8N1; 0 = unlimited).",
    DefaultValueFactory = _ => 921_600 };
var loss = new Option<double>("--loss") { Description = "Probability that a byte is lost, each direction.",
    DefaultValueFactory = _ => 0 };
var corrupt = new Option<double>("--corrupt") { Description =
    "Probability that a byte has a bit flipped, each direction.", DefaultValueFactory = _ => 0 };
var faultSeed = new Option<int?>("--fault-seed")
{
    Description = "Seed of the loss and corruption streams and of each session's first sequence number "
        + "(default: random, printed at start so a run can be repeated).",
};
var rest = new Option<double?>("--rest-us") { Description =
    "Virtual rest between captures in µs (default: the system's settling gap, or 1000 drive lengths)." };
var hangFile = new Option<string?>("--hang-file")
{
    Description = "Fault bench: the firmware hangs (reads and answers nothing) while this file exists.",
};
var root = new RootCommand("Edge bridge emulator: the ESP32 firmware core on .NET with a simulated layer.")
{
    system, deviceId, seed, profile, tcp, serial, baud, loss, corrupt, faultSeed, rest, hangFile,
};
root.SetAction(async (parse, cancellationToken) =>
{
    if ((parse.GetValue(tcp) is null) == (parse.GetValue(serial) is null))
    {
        await Console.Error.WriteLineAsync("Give exactly one of --tcp <port> or --serial <path>.")
            .ConfigureAwait(false);
        return 2;
    }

    IPhysicalSystem physical;
    LineFaults faults;
    BridgeEmulator emulator;
    try
    {
        physical = PhysicalSystems.Get(parse.GetValue(system)!);
        var chosenSeed = parse.GetValue(faultSeed) ?? Random.Shared.Next();
        faults = new LineFaults(parse.GetValue(baud), parse.GetValue(loss), parse.GetValue(corrupt), chosenSeed);
        var restSeconds = parse.GetValue(rest) is { } us ? us * 1e-6 : DefaultRest(physical);
        emulator = new BridgeEmulator(
            physical,
            parse.GetValue(deviceId)!,
            parse.GetValue(seed),
            faults,
            restSeconds,
            profile: DeviceProfiles.Parse(parse.GetValue(profile)))
        {
            HangFile = parse.GetValue(hangFile) is { } hang ? Path.GetFullPath(hang) : null,
        };
    }
    catch (ArgumentException e)
    {
        await Console.Error.WriteLineAsync(e.Message).ConfigureAwait(false);
        return 2;
    }

    if (parse.GetValue(serial) is { } path)
    {
        await Console.Out.WriteLineAsync($"bridge emulator: {physical.Name} on {path}, fault seed {faults.Seed}")
            .ConfigureAwait(false);
        return await SerialPortLoop.RunAsync(emulator, path, parse.GetValue(baud), cancellationToken)
            .ConfigureAwait(false);
    }

    var listener = new TcpListener(IPAddress.Loopback, parse.GetValue(tcp)!.Value);
    listener.Start();
    await Console.Out.WriteLineAsync(
        $"bridge emulator: {physical.Name} on tcp://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}, "
        + $"fault seed {faults.Seed}").ConfigureAwait(false);
    try
    {
        // One host at a time; when it leaves, the bridge reboots (a fresh firmware) for the next one.
        while (!cancellationToken.IsCancellationRequested)
        {
            using var client = await listener.AcceptTcpClientAsync(cancellationToken).ConfigureAwait(false);
            client.NoDelay = true;
            await Task.Run(() => emulator.Run(client.GetStream(), cancellationToken),
                cancellationToken).ConfigureAwait(false);
            await SerialPortLoop.ReportAsync(emulator).ConfigureAwait(false);
        }
    }
    catch (OperationCanceledException)
    {
        // Ctrl+C.
    }
    finally
    {
        listener.Stop();
    }

    return 0;
});
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);

static double DefaultRest(IPhysicalSystem system)
{
    var gap = system.DefaultImperfections.SettlingGapSeconds;
    return double.IsFinite(gap) ? gap : 1000 * system.Spec.DriveLength * system.Spec.Dac.SegmentSeconds;
}
