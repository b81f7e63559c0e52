using System.CommandLine;
using Edge.Agent.Models;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Agent.Commands;

/// <summary>Runs a verb against the configured model store, turning store errors into messages and exit
/// codes.</summary>
internal static class ModelStoreAccess
{
    public static Task<int> WithStoreAsync(
        AgentCommandLine commandLine,
        ParseResult parseResult,
        Func<ModelStore, TextWriter, CancellationToken, Task<int>> body,
        CancellationToken cancellationToken)
        => commandLine.WithHostAsync(
            parseResult,
            async (host, token) =>
            {
                var error = parseResult.InvocationConfiguration.Error;
                ModelStore store;
                try
                {
                    store = host.Services.GetRequiredService<ModelStore>();
                }
                catch (ModelStoreException e)
                {
                    await error.WriteLineAsync(e.Message).ConfigureAwait(false);
                    return ExitCodes.InvalidConfiguration;
                }

                foreach (var problem in store.Problems)
                {
                    await error.WriteLineAsync($"warning: {problem}").ConfigureAwait(false);
                }

                try
                {
                    return await body(store, parseResult.InvocationConfiguration.Output, token).ConfigureAwait(false);
                }
                catch (ModelStoreException e)
                {
                    await error.WriteLineAsync(e.Message).ConfigureAwait(false);
                    return ExitCodes.Refused;
                }
            },
            cancellationToken);
}
