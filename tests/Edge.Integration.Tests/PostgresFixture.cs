using Edge.Testing;

[assembly: AssemblyFixture(typeof(Edge.Integration.Tests.PostgresFixture))]

namespace Edge.Integration.Tests;

/// <summary>
/// One throwaway PostgreSQL server for the whole test assembly, started by the first test that asks for a database
/// (each test gets its own). A missing PostgreSQL skips those tests on a developer machine and fails them in CI
/// (CI=true), where .ci/run installs it.
/// </summary>
public sealed class PostgresFixture : IAsyncDisposable
{
    private readonly SemaphoreSlim _starting = new(1, 1);
    private PostgresServer? _server;
    private int _databases;

    /// <summary>The running server (started on first use).</summary>
    public async Task<PostgresServer> ServerAsync()
    {
        Require();
        await _starting.WaitAsync(TestContext.Current.CancellationToken);
        try
        {
            return _server ??= await PostgresServer.StartAsync(durable: false, TestContext.Current.CancellationToken);
        }
        finally
        {
            _starting.Release();
        }
    }

    /// <summary>A fresh, empty database's connection string.</summary>
    public async Task<string> NewDatabaseAsync()
    {
        var server = await ServerAsync();
        return await server.CreateDatabaseAsync($"edge_test_{Interlocked.Increment(ref _databases)}",
            TestContext.Current.CancellationToken);
    }

    /// <summary>Skips (developer machine) or fails (CI) the calling test when PostgreSQL is not installed.</summary>
    public static void Require()
    {
        if (PostgresServer.BinDirectory is not null)
        {
            return;
        }

        const string message = "PostgreSQL is not installed (apt-get install postgresql; .ci/run does this in CI).";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail(message);
        }

        Assert.Skip(message);
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _starting.Dispose();
    }
}
