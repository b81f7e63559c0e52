using System.CommandLine;
using System.Globalization;
using Edge.Trainer.Bench;
using Edge.Trainer.Reporting;
using Edge.Trainer.Training;

namespace Edge.Trainer.Cli;

/// <summary>
/// <c>demo</c>: the README's main command. Physics-aware training on the vowel task with a simulated electronic
/// device, compared with in-silico and ideal training; prints the table and writes plots and a report.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder for the report, JSON and plots.", DefaultValueFactory = _ => new DirectoryInfo("artifacts/demo") };
        var system = new Option<string>("--system") { Description = "Physical system.", DefaultValueFactory = _ => "electronic" };
        var seeds = new Option<int>("--seeds") { Description = "Seeds to run.", DefaultValueFactory = _ => 1 };
        var epochs = new Option<int>("--epochs") { Description = "Training epochs.", DefaultValueFactory = _ => 100 };
        var demo = new Command("demo", "PAT vs in-silico vs ideal on the vowel task with a simulated device; prints the table, writes plots.")
        {
            output, system, seeds, epochs,
        };
        demo.SetAction(async (parse, cancellationToken) =>
        {
            var folder = parse.GetValue(output)!.FullName;
            var options = new PatBenchmarkOptions
            {
                System = parse.GetValue(system)!,
                Seeds = BenchCommand.Positive(parse.GetValue(seeds), "--seeds"),
                Modes = [TrainingMode.InSilico, TrainingMode.Pat, TrainingMode.Ideal],
                Training = new TrainingOptions { Epochs = BenchCommand.Positive(parse.GetValue(epochs), "--epochs") },
            };
            var result = await BenchCommand.RunAndReportAsync(options, Path.Combine(folder, "result.json"), Path.Combine(folder, "plots"), cancellationToken).ConfigureAwait(false);
            if (result is null)
            {
                return 1;
            }

            var report = Path.Combine(folder, "report.md");
            File.WriteAllText(report, string.Create(CultureInfo.InvariantCulture, $"# Edge demo: physics-aware training\n\n{BenchReport.ToMarkdown(result)}\n![curves](plots/{options.Task}-{options.System}-curves.png)\n![twin parity](plots/{options.Task}-{options.System}-twin-parity.png)\n![PAT confusion](plots/{options.Task}-{options.System}-confusion-pat.png)\n"));
            Console.WriteLine($"report: {report}");
            return 0;
        });
        return demo;
    }
}
