using System.CommandLine;
using Edge.Agent.Configuration;
using Edge.Agent.Hosting;
using Microsoft.Extensions.Hosting;

namespace Edge.Agent.Commands;

/// <summary>
/// The <c>edge-agent</c> command tree. The options shared by every verb (<c>--system</c>, <c>--device-id</c>,
/// <c>--noise-seed</c>) are the command-line configuration source: they override the settings file and environment.
/// </summary>
public sealed class AgentCommandLine
{
    private readonly AgentSettingsSources _sources;

    private readonly Option<string?> _system = new("--system")
    {
        Description = $"Physical system to host (sets {DeviceOptions.SectionName}:{nameof(DeviceOptions.System)}).",
        Recursive = true,
    };

    private readonly Option<string?> _deviceId = new("--device-id")
    {
        Description = $"Identifier of the part (sets {DeviceOptions.SectionName}:{nameof(DeviceOptions.DeviceId)}).",
        Recursive = true,
    };

    private readonly Option<string?> _backend = new("--backend")
    {
        Description =
            $"How the layer is reached: {string.Join(", ", DeviceBackends.All)} (sets "
                + $"{DeviceOptions.SectionName}:{nameof(DeviceOptions.Backend)}).",
        Recursive = true,
    };

    private readonly Option<ulong?> _seed = new("--noise-seed")
    {
        Description =
            $"Seed of the simulated part's noise (sets {DeviceOptions.SectionName}:{nameof(DeviceOptions.Seed)}).",
        Recursive = true,
    };

    /// <summary>Creates the command tree reading configuration from <paramref name="sources"/>.</summary>
    public AgentCommandLine(AgentSettingsSources sources)
    {
        _sources = sources ?? throw new ArgumentNullException(nameof(sources));
        Run = RunCommand.Create(this);
        var device = new Command("device", "Work with the configured device directly, without the service.")
        {
            DeviceInfoCommand.Create(this),
            DeviceForwardCommand.Create(this),
        };
        Root = new RootCommand("Edge agent: hosts a physical neural-network layer device at the edge.")
        {
            _system,
            _deviceId,
            _seed,
            _backend,
            device,
            ClassifyCommand.Create(this),
            ListenCommand.Create(this),
            StatusCommand.Create(this),
            ModelsCommand.Create(this),
            EnvironmentCommand.Create(this),
            Run,
        };
    }

    /// <summary>The root command.</summary>
    public RootCommand Root { get; }

    /// <summary>The <c>run</c> verb, which handles termination signals through the host instead of the
    /// parser.</summary>
    public Command Run { get; }

    /// <summary>
    /// Builds the host for <paramref name="parseResult"/>, validates its configuration and runs <paramref
    /// name="body"/>;
    /// an invalid configuration is reported on stderr with exit code <see cref="ExitCodes.InvalidConfiguration"/>.
    /// </summary>
    internal async Task<int> WithHostAsync(
        ParseResult parseResult,
        Func<IHost, CancellationToken, Task<int>> body,
        CancellationToken cancellationToken,
        Action<HostApplicationBuilder>? configure = null)
    {
        var builder = AgentHost.CreateBuilder(_sources, Overrides(parseResult));
        configure?.Invoke(builder);
        using var host = builder.Build();
        try
        {
            AgentHost.ValidateConfiguration(host);
        }
        catch (AgentConfigurationException e)
        {
            await parseResult.InvocationConfiguration.Error.WriteLineAsync(e.Message).ConfigureAwait(false);
            return ExitCodes.InvalidConfiguration;
        }

        try
        {
            return await body(host, cancellationToken).ConfigureAwait(false);
        }
        catch (DeviceUnavailableException e)
        {
            await parseResult.InvocationConfiguration.Error.WriteLineAsync(e.Message).ConfigureAwait(false);
            return ExitCodes.DeviceUnavailable;
        }
        catch (IOException e)
        {
            // A bus or serial fault during I/O: say so plainly instead of a stack trace.
            await parseResult.InvocationConfiguration.Error.WriteLineAsync($"Device I/O failed: {e.Message}")
                .ConfigureAwait(false);
            return ExitCodes.DeviceUnavailable;
        }
    }

    /// <summary>
    /// The device id from <c>--device-id</c>, else from the settings file and <c>EDGE_</c> variables.
    /// </summary>
    internal string? ConfiguredDeviceId(ParseResult parseResult)
    {
        var key = $"{DeviceOptions.SectionName}:{nameof(DeviceOptions.DeviceId)}";
        return parseResult.GetValue(_deviceId) ?? AgentHost.CreateBuilder(_sources, []).Configuration[key];
    }

    private List<KeyValuePair<string, string?>> Overrides(ParseResult parseResult)
    {
        var overrides = new List<KeyValuePair<string, string?>>();
        if (parseResult.GetValue(_system) is { } system)
        {
            overrides.Add(new($"{DeviceOptions.SectionName}:{nameof(DeviceOptions.System)}", system));
        }

        if (parseResult.GetValue(_deviceId) is { } deviceId)
        {
            overrides.Add(new($"{DeviceOptions.SectionName}:{nameof(DeviceOptions.DeviceId)}", deviceId));
        }

        if (parseResult.GetValue(_seed) is { } seed)
        {
            overrides.Add(new($"{DeviceOptions.SectionName}:{nameof(DeviceOptions.Seed)}",
                seed.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        if (parseResult.GetValue(_backend) is { } backend)
        {
            overrides.Add(new($"{DeviceOptions.SectionName}:{nameof(DeviceOptions.Backend)}", backend));
        }

        return overrides;
    }
}
