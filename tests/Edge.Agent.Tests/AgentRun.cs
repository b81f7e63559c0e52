using Edge.Agent.Configuration;

namespace Edge.Agent.Tests;

/// <summary>Runs <c>edge-agent</c> in-process with no settings file and only the given environment.</summary>
internal static class AgentRun
{
    public static async Task<(int ExitCode, string Output, string Error)> InvokeAsync(
        IReadOnlyDictionary<string, string?>? environment = null,
        params string[] args)
    {
        // Only warnings and errors: the verbs' own output is what the tests read.
        var variables = new Dictionary<string, string?>(environment
            ?? new Dictionary<string, string?>()) { ["EDGE_LOGGING__LOGLEVEL__DEFAULT"] = "Warning" };
        var sources = new AgentSettingsSources(null, variables);
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await AgentCli.RunAsync(args, sources, output, error);
        return (exitCode, output.ToString(), error.ToString());
    }
}
