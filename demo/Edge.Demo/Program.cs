using System.CommandLine;
using System.Globalization;
using Edge.Demo;
using Edge.Trainer.Cli;
using Microsoft.Extensions.Logging;
using Spectre.Console;

RedirectedConsole.UnwrapWhenRedirected();
var agents = new Option<int>("--agents") { Description = "Simulated agents, each its own device id and part.",
    DefaultValueFactory = _ => 3 };
var broker = new Option<string?>("--broker")
{
    Description = "Use this broker for the trainer (mqtts://host:port, the service listener of deploy/mosquitto) "
        + "instead of MQTTnet.Server in process.",
};
var deviceBroker = new Option<string?>("--device-broker")
{
    Description = "Broker URL of the agents (the device listener); default: --broker.",
};
var certs = new Option<DirectoryInfo?>("--certs")
{
    Description = "Folder made by deploy/mosquitto/make-certs.sh with the CA, the trainer's and every agent's "
        + "(edge-sim-01, ...) certificate.",
};
var allowPlaintext = new Option<bool>("--allow-plaintext")
{
    Description = "Permit a mqtt:// (plaintext) --broker. Lab only.",
};
var output = new Option<DirectoryInfo>("--out") { Description =
    "Folder for the report, plots, keys, packages and agent stores.",
        DefaultValueFactory = _ => new DirectoryInfo("artifacts/demo") };
var system = new Option<string>("--system") { Description = "Physical system the agents host.",
    DefaultValueFactory = _ => "electronic" };
var epochs = new Option<int>("--epochs") { Description = "Epochs of in-silico and PAT training.",
    DefaultValueFactory = _ => 60 };
var driftKelvin = new Option<double>("--drift-kelvin") { Description =
    "How much the last agent's surroundings warm up.", DefaultValueFactory = _ => 60 };
var driftThreshold = new Option<double>("--drift-threshold") { Description =
    "Relative rise of the twin residual (0.15 = 15 % above its post-training level) that starts a field update.",
        DefaultValueFactory = _ => 0.15 };
var twinSamples = new Option<int>("--twin-samples") { Description = "Drives played to fit the twin.",
    DefaultValueFactory = _ => 12_000 };
var sampleFraction = new Option<double>("--sample-fraction") { Description =
    "Fraction of played drives each agent records for the trainer.", DefaultValueFactory = _ => 0.5 };
var root =
    new RootCommand("Edge demo: a broker, N simulated edge agents and the host trainer — twin fit, in-silico and PAT "
        + "training, signed publish, field traffic, drift and automatic field re-training.")
{
    agents, broker, deviceBroker, certs, allowPlaintext, output, system, epochs, twinSamples, sampleFraction,
    driftKelvin, driftThreshold,
};
root.SetAction(async (parse, cancellationToken) =>
{
    DemoSettings settings;
    try
    {
        settings = new DemoSettings
        {
            Agents = parse.GetValue(agents),
            Broker = parse.GetValue(broker),
            DeviceBroker = parse.GetValue(deviceBroker),
            Certificates = parse.GetValue(certs)?.FullName,
            AllowPlaintext = parse.GetValue(allowPlaintext),
            Output = parse.GetValue(output)!.FullName,
            System = parse.GetValue(system)!,
            Epochs = parse.GetValue(epochs),
            TwinSamples = parse.GetValue(twinSamples),
            SampleFraction = parse.GetValue(sampleFraction),
            DriftKelvin = parse.GetValue(driftKelvin),
            DriftThreshold = parse.GetValue(driftThreshold),
        }.Validate();
    }
    catch (ArgumentException e)
    {
        await Console.Error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
        return 2;
    }

    using var logging = LoggerFactory.Create(builder
        => builder.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
    AnsiConsole.MarkupLine(CultureInfo.InvariantCulture, "[bold]Edge demo[/]: {0} simulated {1} agents, output in {2}",
        settings.Agents, Markup.Escape(settings.System), Markup.Escape(settings.Output));
    try
    {
        var result = await ProgressReporter.RunAsync(progress
            => new DemoScenario(settings, logging).RunAsync(progress, cancellationToken)).ConfigureAwait(false);
        DemoReport.Print(result);
        var report = DemoReport.Write(result);
        AnsiConsole.MarkupLine(CultureInfo.InvariantCulture, "report: [link]{0}[/] ({1:F0} s)", Markup.Escape(report),
            result.TotalSeconds);
        return 0;
    }
    catch (Exception e)
        when (e is IOException or InvalidOperationException or TimeoutException or ArgumentException
            or UnauthorizedAccessException)
    {
        await Console.Error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
        return 1;
    }
});
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
