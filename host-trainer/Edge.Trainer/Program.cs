using System.CommandLine;
using Edge.Trainer.Cli;
using Spectre.Console;

var root = new RootCommand("Edge host trainer: digital twins and physics-aware training of physical neural networks.")
{
    BenchCommand.Create(),
    DemoCommand.Create(),
    SystemsCommand.Create(),
};

try
{
    return await root.Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false }).ConfigureAwait(false);
}
catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or InvalidOperationException or UnauthorizedAccessException)
{
    AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(e.Message)}");
    return 2;
}
