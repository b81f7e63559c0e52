using Edge.Agent.Commands;

namespace Edge.Agent.Tests;

public sealed class ArchitectureTests
{
    [Fact]
    public void Agent_references_neither_TorchSharp_nor_the_trainer()
    {
        var forbidden = new[] { "TorchSharp", "edge-trainer", "Edge.Trainer" };
        var agent = typeof(AgentCommandLine).Assembly;
        var domain = typeof(Domain.Devices.IPhysicalDevice).Assembly;

        foreach (var assembly in new[] { agent, domain })
        {
            foreach (var reference in assembly.GetReferencedAssemblies())
            {
                Assert.DoesNotContain(reference.Name, forbidden);
            }
        }

        var dependencies = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "edge-agent.deps.json"));
        foreach (var name in forbidden)
        {
            Assert.DoesNotContain(name, dependencies, StringComparison.OrdinalIgnoreCase);
        }
    }
}
