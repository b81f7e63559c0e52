using Edge.Agent.Configuration;
using Edge.Agent.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Edge.Agent.Tests;

/// <summary>The <c>run</c> service's host, wired exactly as the verb wires it, started in the test process.</summary>
internal sealed class ServiceHost : IAsyncDisposable
{
    private readonly IHost _host;
    private bool _stopped;

    private ServiceHost(IHost host) => _host = host;

    public IServiceProvider Services => _host.Services;

    /// <summary>
    /// Starts the service with <paramref name="environment"/> given as <c>EDGE_</c> variables (logging at Warning
    /// unless
    /// set); <paramref name="configure"/> may replace services (e.g. the device) before the host is built;
    /// <paramref name="settingsFile"/> is the (watched) settings file, if any.
    /// </summary>
    public static async Task<ServiceHost> StartAsync(
        IReadOnlyDictionary<string, string?> environment,
        Action<IServiceCollection>? configure = null,
        string? settingsFile = null)
    {
        var variables = new Dictionary<string, string?>(environment);
        variables.TryAdd("EDGE_LOGGING__LOGLEVEL__DEFAULT", "Warning");
        var builder = AgentHost.CreateBuilder(new AgentSettingsSources(settingsFile, variables), []);
        builder.AddEdgeAgentService();
        configure?.Invoke(builder.Services);
        var host = builder.Build();
        AgentHost.ValidateConfiguration(host);
        await host.StartAsync(TestContext.Current.CancellationToken);
        return new ServiceHost(host);
    }

    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await _host.StopAsync(CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (_host is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
        else
        {
            _host.Dispose();
        }
    }
}
