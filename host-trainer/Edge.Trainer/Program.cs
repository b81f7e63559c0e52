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
    var parse = root.Parse(args);
    var invocation = new InvocationConfiguration
    {
        EnableDefaultExceptionHandler = false,
        // serve's host owns SIGTERM and Ctrl+C so that it stops gracefully; the parser must not race it.
        ProcessTerminationTimeout = parse.CommandResult.Command.Name == "serve" ? null : TimeSpan.FromSeconds(2),
    };
    return await parse.InvokeAsync(invocation).ConfigureAwait(false);
}
catch (Exception e)
    when (e is Edge.Domain.Models.ModelPackageException or ArgumentException or IOException or InvalidDataException
        or InvalidOperationException or UnauthorizedAccessException)
{
    // The message names the problem; the parameter suffix .NET appends only repeats it in code terms.
    var message = e is ArgumentException { ParamName: { } name }
        ? e.Message.Replace($" (Parameter '{name}')", string.Empty, StringComparison.Ordinal) : e.Message;
    await Console.Error.WriteLineAsync($"error: {message}").ConfigureAwait(false);
    return 2;
}
