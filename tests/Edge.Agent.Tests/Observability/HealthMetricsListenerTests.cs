using System.Net.Sockets;
using System.Text;
using Edge.Hosting.Observability;
using Edge.Tests.Shared;

namespace Edge.Agent.Tests.Observability;

/// <summary>
/// The metrics and health endpoint over raw TCP, as a scraper on another host sends it: the Host header names the
/// device's address (here the documentation address 192.0.2.1), not "localhost", and must still be answered.
/// </summary>
public sealed class HealthMetricsListenerTests
{
    [Theory]
    [Trait("Category", "Security")]
    [InlineData("127.0.0.1")]
    [InlineData("localhost")]
    public async Task Metrics_and_health_are_answered_whatever_the_host_header_says(string bind)
    {
        await using var listener = Start(bind, healthy: true);
        var port = listener.Endpoints[0].Port;

        var metrics = await RequestAsync(port, "GET /metrics HTTP/1.1\r\nHost: 192.0.2.1\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", metrics, StringComparison.Ordinal);
        Assert.Contains("Content-Type: text/plain; version=0.0.4", metrics, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\nedge_test_metric 1\n", metrics, StringComparison.Ordinal);

        var health = await RequestAsync(port, "GET /healthz?verbose=1 HTTP/1.1\r\nHost: 192.0.2.1:9100\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", health, StringComparison.Ordinal);
        Assert.EndsWith("healthy", health, StringComparison.Ordinal);
        SecurityReport.Record(
            $"metrics-host-header-{bind}",
            $"Scrape /metrics and /healthz with the Host header naming the device's address (listener bound to {bind})",
            SecurityReport.TestCommand("Edge.Domain.Tests", nameof(
                Metrics_and_health_are_answered_whatever_the_host_header_says)),
            "answered 200 (not 404 as when only Host: localhost was served)",
            $"/metrics: {FirstLine(metrics)}; /healthz: {FirstLine(health)}",
            metrics.StartsWith("HTTP/1.1 200 ", StringComparison.Ordinal)
                && health.StartsWith("HTTP/1.1 200 ", StringComparison.Ordinal));
    }

    private static string FirstLine(string response) => response[..response.IndexOf('\r', StringComparison.Ordinal)];

    [Fact]
    public async Task Unhealthy_is_503_unknown_paths_404_and_garbage_400()
    {
        await using var listener = Start("127.0.0.1", healthy: false);
        var port = listener.Endpoints[0].Port;

        await AnswersAsync(port, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 503 ");
        await AnswersAsync(port, "GET /secrets HTTP/1.1\r\nHost: 192.0.2.1\r\n\r\n", "HTTP/1.1 404 ");
        await AnswersAsync(port, "POST /metrics HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 405 ");
        await AnswersAsync(port, "\u0001\u0002\u0003\r\n\r\n", "HTTP/1.1 400 ");
        // Exactly the 8 KiB limit with no end of head: refused, and nothing is left unread to reset the connection.
        var prefix = "GET /metrics HTTP/1.1\r\nX: ";
        var oversize = await RequestAsync(port, prefix + new string('a', (8 * 1024) - prefix.Length));
        Assert.StartsWith("HTTP/1.1 400 ", oversize, StringComparison.Ordinal);

        // Still serving after the bad requests.
        await AnswersAsync(port, "GET /metrics HTTP/1.0\r\n\r\n", "HTTP/1.1 200 ");
    }

    private static HealthMetricsListener Start(string host, bool healthy) => HealthMetricsListener.Start(
        host,
        0,
        (stream, token) => stream.WriteAsync("edge_test_metric 1\n"u8.ToArray(), token).AsTask(),
        _ => Task.FromResult(new HealthAnswer(
            healthy, Encoding.UTF8.GetBytes(healthy ? "healthy" : "unhealthy: test"), "text/plain; charset=utf-8")));

    private static async Task AnswersAsync(int port, string request, string statusLine) =>
        Assert.StartsWith(statusLine, await RequestAsync(port, request), StringComparison.Ordinal);

    private static async Task<string> RequestAsync(int port, string request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port, TestContext.Current.CancellationToken);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request), TestContext.Current.CancellationToken);

        using var reader = new StreamReader(stream, Encoding.ASCII);
        return await reader.ReadToEndAsync(TestContext.Current.CancellationToken);
    }
}
