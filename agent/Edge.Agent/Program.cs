using Edge.Agent;
using Edge.Agent.Configuration;

return await AgentCli.RunAsync(args, AgentSettingsSources.FromProcess(), Console.Out,
    Console.Error).ConfigureAwait(false);
