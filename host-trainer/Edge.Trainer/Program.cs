using System.CommandLine;
using Edge.Trainer.Cli;

RedirectedConsole.UnwrapWhenRedirected();

var root = new RootCommand("Edge host trainer: digital twins and physics-aware training of physical neural networks.")
{
    BenchCommand.Create(),
    KeygenCommand.Create(),
    PackageCommand.Create(),
    SystemsCommand.Create(),
    ServeCommand.Create(),
    PublishCommand.Create(),
    RollbackCommand.Create(),
    RetrainCommand.Create(),
    ReportCommand.Create(),
};

try
{
    return await root.Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false }).ConfigureAwait(false);
}
catch (Exception e) when (e is Edge.Domain.Models.ModelPackageException or ArgumentException or IOException or InvalidDataException or InvalidOperationException or UnauthorizedAccessException)
{
    // The message names the problem; the parameter suffix .NET appends only repeats it in code terms.
    var message = e is ArgumentException { ParamName: { } name } ? e.Message.Replace($" (Parameter '{name}')", string.Empty, StringComparison.Ordinal) : e.Message;
    await Console.Error.WriteLineAsync($"error: {message}").ConfigureAwait(false);
    return 2;
}
