using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Edge.Integration.Tests;

/// <summary>
/// <c>edge-trainer serve</c> as the unit runs it: a process configured by <c>EDGE_</c> variables only, serving JSON
/// health and lint-clean metrics on the configured address, stopping cleanly on SIGTERM; and refusing a bad
/// configuration with exit code 3 and every problem named.
/// </summary>
public sealed class TrainerServiceTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Serve_configured_by_the_environment_serves_health_and_metrics_and_stops_on_sigterm()
    {
        await using var broker = TestBroker.Create("mosquitto");
        await broker.StartAsync();
        using var folder = new TempFolder();
        var port = FreePort();
        using var trainer = TrainerProcess.Start(
            new Dictionary<string, string?>
            {
                ["EDGE_MQTT__URL"] = $"mqtt://127.0.0.1:{broker.Port}",
                ["EDGE_MQTT__ALLOWPLAINTEXT"] = "true",
                ["EDGE_MQTT__CLIENTID"] = "service-trainer",
                ["EDGE_STORE__CONNECTION"] = folder.Path("store.db"),
                ["EDGE_METRICS__PORT"] = port.ToString(CultureInfo.InvariantCulture),
                ["EDGE_METRICS__HOST"] = "127.0.0.1",
            },
            "serve");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };

        await Eventually.TrueAsync(
            async () =>
            {
                try
                {
                    using var answer = await http.GetAsync(new Uri("healthz", UriKind.Relative), Token);
                    return answer.StatusCode == HttpStatusCode.OK;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            },
            "serve answers healthy on its configured port",
            seconds: 120);
        using (var health = JsonDocument.Parse(await http.GetStringAsync(new Uri("healthz", UriKind.Relative), Token)))
        {
            Assert.Equal("healthy", health.RootElement.GetProperty("status").GetString());
            Assert.Equal("edge-trainer", health.RootElement.GetProperty("service").GetString());
            Assert.Equal(
                $"connected to 127.0.0.1:{broker.Port}",
                health.RootElement.GetProperty("checks").GetProperty("broker").GetProperty("detail").GetString());
        }

        var metrics = await http.GetStringAsync(new Uri("metrics", UriKind.Relative), Token);
        Assert.Contains("process_working_set_bytes ", metrics, StringComparison.Ordinal);
        await Promtool.AssertCleanAsync(metrics);

        Assert.Equal(0, await trainer.TerminateAsync());
    }

    [Fact]
    public async Task A_bad_configuration_exits_3_naming_every_problem_by_its_key()
    {
        using var trainer = TrainerProcess.Start(
            new Dictionary<string, string?>
            {
                ["EDGE_MQTT__URL"] = "http://broker",
                ["EDGE_MODLES__STOREDIRECTORY"] = "/tmp",
                ["EDGE_METRICS__PORT"] = "eighty",
            },
            "serve");
        await Eventually.TrueAsync(() => trainer.ExitCode is not null, "serve refused the configuration", seconds: 120);

        var output = string.Join('\n', trainer.Lines);
        Assert.Equal(3, trainer.ExitCode);
        Assert.Contains("Edge:MODLES: unknown section", output, StringComparison.Ordinal);
        Assert.Contains("Edge:Metrics:Port: 'eighty' is not a whole number", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
