namespace Edge.Agent.Hosting;

/// <summary>The configuration cannot be used; every entry of <see cref="Failures"/> names the key at fault.</summary>
public sealed class AgentConfigurationException : Exception
{
    /// <summary>Creates the exception from the list of problems.</summary>
    public AgentConfigurationException(IEnumerable<string> failures)
        : this([.. failures])
    {
    }

    private AgentConfigurationException(string[] failures)
        : base("Invalid configuration:" + Environment.NewLine + "  "
            + string.Join(Environment.NewLine + "  ", failures))
    {
        Failures = failures;
    }

    /// <summary>One message per problem.</summary>
    public IReadOnlyList<string> Failures { get; }
}
