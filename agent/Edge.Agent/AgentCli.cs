using System.CommandLine;
using Edge.Agent.Commands;
using Edge.Agent.Configuration;

namespace Edge.Agent;

/// <summary>Entry point of <c>edge-agent</c>, with every process dependency passed in so tests can run it
/// in-process.</summary>
public static class AgentCli
{
    /// <summary>Parses <paramref name="args"/>, runs the verb and returns the process exit code (see <see
    /// cref="ExitCodes"/>).</summary>
    public static Task<int> RunAsync(IReadOnlyList<string> args, AgentSettingsSources sources, TextWriter output,
        TextWriter error)
    {
        var commandLine = new AgentCommandLine(sources);
        var parseResult = commandLine.Root.Parse(args);
        var invocation = new InvocationConfiguration
        {
            Output = output,
            Error = error,
            // The service's host owns SIGTERM and Ctrl+C so that it can stop gracefully; the parser must not race it.
            ProcessTerminationTimeout = parseResult.CommandResult.Command == commandLine.Run ? null
                : TimeSpan.FromSeconds(2),
        };
        return parseResult.InvokeAsync(invocation);
    }
}
