using System.Net;
using System.Net.Sockets;

namespace Edge.Integration.Tests;

/// <summary>A broker a test starts on a free loopback port and can stop and restart on the same port.</summary>
public abstract class TestBroker : IAsyncDisposable
{
    /// <summary>The loopback port.</summary>
    public int Port { get; } = FreePort();

    /// <summary>Name shown in test output.</summary>
    public abstract string Name { get; }

    /// <summary>Starts (or restarts) the broker.</summary>
    public abstract Task StartAsync();

    /// <summary>Stops the broker (persistent brokers save their sessions).</summary>
    public abstract Task StopAsync();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Cleanup();
        GC.SuppressFinalize(this);
    }

    /// <summary>Deletes whatever the broker left on disk.</summary>
    protected virtual void Cleanup()
    {
    }

    /// <summary>Creates the broker of the given kind.</summary>
    public static TestBroker Create(string kind) => kind switch
    {
        "mqttnet" => new InProcessBroker(),
        "mosquitto" => new MosquittoBroker(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "mqttnet or mosquitto"),
    };

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
