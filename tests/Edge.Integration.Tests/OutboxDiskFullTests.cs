using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Edge.Agent.Messaging;
using Edge.Domain.Messaging;
using Edge.Domain.Simulation;

namespace Edge.Integration.Tests;

/// <summary>
/// A full disk under the agent's outbox: PAT requests are refused naming the problem (an answer whose measurements
/// cannot be stored would be lost), the problem reaches the errors topic, <c>/healthz</c> and the metrics, and
/// everything recovers when space returns. On a real 4 MiB tmpfs filled to the
/// last byte when the tests run as root (CI), otherwise with the database capped by SQLite's max_page_count, which
/// fails writes with the same error 13.
/// </summary>
public sealed class OutboxDiskFullTests
{
    private const string Device = "full-agent";
    private const string Responses = "edge/v1/_requesters/full/pat/response";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_full_disk_under_the_outbox_refuses_pat_reports_it_and_recovers()
    {
        await using var broker = TestBroker.Create("mosquitto");
        await broker.StartAsync();
        using var folder = new TempFolder();
        using var volume = new SmallVolume(folder.Path("volume"));
        var metricsPort = FreePort();
        var settings = new Dictionary<string, string?>
        {
            ["Edge:Mqtt:MeasurementSampleFraction"] = "1",
            ["Edge:Mqtt:MeasurementBatchSize"] = "64",
            ["Edge:Metrics:Port"] = metricsPort.ToString(CultureInfo.InvariantCulture),
        };
        await using var agent = await AgentInstance.StartAsync(
            broker.Port,
            Device,
            Path.Combine(volume.Root, "outbox.db"),
            settings);
        await using var client = await TopicRecorder.ConnectAsync(
            broker.Port,
            Responses,
            EdgeTopics.For(Device, TopicKind.Errors));
        using var http = new HttpClient { BaseAddress = new Uri($"http://localhost:{metricsPort}/") };
        var answered = 0;
        Assert.Null(await AskAsync(client, ++answered));

        volume.Fill(agent.Outbox);
        await Eventually.TrueAsync(
            async () =>
            {
                // Answered or refused, every request gets a reply; keep asking until the outbox has noticed.
                await AskAsync(client, ++answered);
                return agent.Outbox.Problem is not null;
            },
            "the outbox noticed the full disk",
            seconds: 60);
        for (var i = 0; i < 5; i++)
        {
            var refusal = await AskAsync(client, ++answered);
            Assert.Contains("cannot store measurements now", refusal, StringComparison.Ordinal);
        }

        Assert.Contains("full", agent.Outbox.Problem, StringComparison.OrdinalIgnoreCase);
        await Eventually.TrueAsync(
            () => Alerts(client).Any(a => a.Topic == "agent/outbox"),
            "the alert on the errors topic");
        Assert.Contains(
            "full",
            Alerts(client).First(a => a.Topic == "agent/outbox").Problem,
            StringComparison.OrdinalIgnoreCase);
        using (var degraded = await http.GetAsync(new Uri("healthz", UriKind.Relative), Token))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, degraded.StatusCode);
            using var report = System.Text.Json.JsonDocument.Parse(await degraded.Content.ReadAsStringAsync(Token));
            Assert.Equal("degraded", report.RootElement.GetProperty("status").GetString());
            Assert.StartsWith(
                "outbox: ",
                report.RootElement.GetProperty("checks").GetProperty("delivery").GetProperty("detail").GetString(),
                StringComparison.Ordinal);
        }

        var metrics = await http.GetStringAsync(new Uri("metrics", UriKind.Relative), Token);
        Assert.Contains("edge_agent_outbox_degraded 1", metrics, StringComparison.Ordinal);

        volume.Free(agent.Outbox);
        await Eventually.TrueAsync(
            async () =>
            {
                await AskAsync(client, ++answered);
                return agent.Outbox.Problem is null;
            },
            "the outbox writes again",
            seconds: 30);
        using var healthy = await http.GetAsync(new Uri("healthz", UriKind.Relative), Token);
        Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
        Assert.Null(await AskAsync(client, ++answered));
        var recovered = await http.GetStringAsync(new Uri("metrics", UriKind.Relative), Token);
        Assert.Contains("edge_agent_outbox_degraded 0", recovered, StringComparison.Ordinal);
        Assert.Contains(
            "edge_agent_measurements_shed_total " + agent.Recorder.Shed.ToString(CultureInfo.InvariantCulture),
            recovered,
            StringComparison.Ordinal);
    }

    [Fact]
    public void A_batch_sent_while_its_resend_schedule_cannot_be_written_is_not_sent_again_before_its_timeout()
    {
        using var folder = new TempFolder();
        using var volume = new SmallVolume(folder.Path("volume"));
        if (!volume.IsTmpfs)
        {
            // A page cap fails inserts, not the in-place update of the schedule; only a full volume fails both.
            Assert.Skip("needs a real full volume: run as root (CI does), where the test mounts a tmpfs.");
        }

        var clock = new ManualClock(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));
        using var outbox = new SqliteOutbox(Path.Combine(volume.Root, "outbox.db"), 1000, 1 << 20, clock);
        outbox.Enqueue(new OutboxMessage(Guid.NewGuid(), "edge/v1/a/measurements", [1, 2, 3], IsMeasurement: true));
        outbox.Enqueue(new OutboxMessage(Guid.NewGuid(), "edge/v1/a/status", [4], IsMeasurement: false));
        volume.Fill(outbox);

        var sent = outbox.Peek(10);
        Assert.Equal(2, sent.Count);
        outbox.MarkAwaitingAck([sent[0]], 1);
        outbox.Remove([sent[1]], 1);
        Assert.Contains("full", outbox.Problem, StringComparison.OrdinalIgnoreCase);

        // Neither goes out again at once (a resend loop for as long as the disk is full); the batch after its timeout.
        Assert.Empty(outbox.Peek(10));
        clock.Advance(outbox.AckTimeout);
        Assert.Equal(sent[0].MessageId, outbox.Peek(10).Single().MessageId);

        // Space returns: the delivered status is deleted with the next removal.
        volume.Free(outbox);
        outbox.Enqueue(new OutboxMessage(Guid.NewGuid(), "edge/v1/a/status", [5], IsMeasurement: false));
        outbox.Remove(outbox.Peek(10).Where(m => !m.IsMeasurement).ToList(), 1);
        Assert.Equal(1, outbox.Count);
    }

    /// <summary>Sends PAT request number <paramref name="n"/>, waits for its reply; returns the refusal or
    /// null.</summary>
    private static async Task<string?> AskAsync(TopicRecorder client, int n)
    {
        var spec = PhysicalSystems.Get(AgentInstance.System).Spec;
        var drives = PatLoopTests.Drives(spec, 64, (ulong)n);
        var correlation = BitConverter.GetBytes(n);
        await client.PublishAsync(
            EdgeTopics.For(Device, TopicKind.PatRequest),
            PatFrames.EncodeRequest(drives, spec.DriveLength),
            Responses,
            correlation);
        await Eventually.TrueAsync(
            () => client.On(Responses).Any(m => m.CorrelationData.AsSpan().SequenceEqual(correlation)),
            $"PAT reply {n}");
        var reply = client.On(Responses).First(m => m.CorrelationData.AsSpan().SequenceEqual(correlation));
        var responses = new float[64 * spec.OutputSize];
        return PatFrames.DecodeReply(TopicRecorder.Payload(reply), responses, spec.OutputSize);
    }

    private static List<ErrorMessage> Alerts(TopicRecorder client) =>
        [.. client.Received
            .Where(m => m.Topic == EdgeTopics.For(Device, TopicKind.Errors))
            .Select(m => ControlJson.Parse(TopicRecorder.Payload(m), MessagingJsonContext.Default.ErrorMessage))];

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
