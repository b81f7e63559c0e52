using System.CommandLine;
using System.Globalization;
using Edge.Trainer.Reporting;

namespace Edge.Trainer.Cli;

/// <summary><c>bench merge</c>: one result from runs of one recipe with different seeds (<see cref="BenchMerge"/>).
/// </summary>
internal static class BenchMergeCommand
{
    public static Command Create()
    {
        var inputs = new Argument<FileInfo[]>("results")
        {
            Description = "Bench pat result JSON files of one recipe, seeds following on (details beside each).",
            Arity = ArgumentArity.OneOrMore,
        };
        var output = new Option<FileInfo>("--out")
        {
            Description = "Write the merged result JSON here (details beside it).", Required = true,
        };
        var command = new Command("merge", "Merge bench pat results of one recipe run with different seeds.")
        {
            inputs, output,
        };
        command.SetAction(parse =>
        {
            var merged = BenchMerge.Write(
                [.. parse.GetValue(inputs)!.Select(f => f.FullName)], parse.GetValue(output)!.FullName);
            foreach (var (mode, figures) in merged["modes"]!.AsObject())
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{mode}: {figures!["mean"]!.GetValue<double>():P1} over {merged["seeds"]} seed(s)"));
            }

            return 0;
        });
        return command;
    }
}
