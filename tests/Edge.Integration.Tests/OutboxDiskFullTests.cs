using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Edge.Agent.Messaging;
using Edge.Domain.Messaging;
using Edge.Domain.Simulation;

namespace Edge.Integration.Tests;

/// <summary>
/// A full disk under the agent's outbox: PAT requests keep being answered, the problem reaches the errors topic,
/// <c>/healthz</c> and the metrics, and everything recovers when space returns. On a real 4 MiB tmpfs filled to the
/// last byte when the tests run as root (CI), otherwise with the database capped by SQLite's max_page_count, which
/// fails writes with the same error 13.
/// </summary>
public sealed class OutboxDiskFullTests
{
    private const string Device = "full-agent";
    private const string Responses = "edge/v1/_requesters/full/pat/response";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_full_disk_under_the_outbox_keeps_the_agent_answering_reports_it_and_recovers()
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
        await using var agent = await AgentInstance.StartAsync(broker.Port, Device, Path.Combine(volume.Root, "outbox.db"), settings);
        await using var client = await TopicRecorder.ConnectAsync(broker.Port, Responses, EdgeTopics.For(Device, TopicKind.Errors));
        using var http = new HttpClient { BaseAddress = new Uri($"http://localhost:{metricsPort}/") };
        var answered = 0;
        await AskAsync(client, ++answered);

        volume.Fill(agent.Outbox);
        await Eventually.TrueAsync(
            async () =>
            {
                // Each request is answered, full disk or not; keep asking until the outbox has noticed.
                await AskAsync(client, ++answered);
                return agent.Outbox.Problem is not null;
            },
            "the outbox noticed the full disk",
            seconds: 60);
        for (var i = 0; i < 5; i++)
        {
            await AskAsync(client, ++answered);
        }

        Assert.Contains("full", agent.Outbox.Problem, StringComparison.OrdinalIgnoreCase);
        await Eventually.TrueAsync(() => Alerts(client).Any(a => a.Topic == "agent/outbox"), "the alert on the errors topic");
        Assert.Contains("full", Alerts(client).First(a => a.Topic == "agent/outbox").Problem, StringComparison.OrdinalIgnoreCase);
        using (var degraded = await http.GetAsync(new Uri("healthz", UriKind.Relative), Token))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, degraded.StatusCode);
            Assert.StartsWith("degraded: outbox: ", await degraded.Content.ReadAsStringAsync(Token), StringComparison.Ordinal);
        }

        var metrics = await http.GetStringAsync(new Uri("metrics", UriKind.Relative), Token);
        Assert.Contains("edge_agent_outbox_degraded 1", metrics, StringComparison.Ordinal);
        Assert.True(agent.Recorder.Shed > 0, "measurements past the kept batch are shed and counted");

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
        var recovered = await http.GetStringAsync(new Uri("metrics", UriKind.Relative), Token);
        Assert.Contains("edge_agent_outbox_degraded 0", recovered, StringComparison.Ordinal);
        Assert.Contains("edge_agent_measurements_shed_total " + agent.Recorder.Shed.ToString(CultureInfo.InvariantCulture), recovered, StringComparison.Ordinal);
    }

    /// <summary>Sends PAT request number <paramref name="n"/> and waits for its successful reply.</summary>
    private static async Task AskAsync(TopicRecorder client, int n)
    {
        var spec = PhysicalSystems.Get(AgentInstance.System).Spec;
        var drives = PatLoopTests.Drives(spec, 64, (ulong)n);
        var correlation = BitConverter.GetBytes(n);
        await client.PublishAsync(EdgeTopics.For(Device, TopicKind.PatRequest), PatFrames.EncodeRequest(drives, spec.DriveLength), Responses, correlation);
        await Eventually.TrueAsync(() => client.On(Responses).Any(m => m.CorrelationData.AsSpan().SequenceEqual(correlation)), $"PAT reply {n}");
        var reply = client.On(Responses).First(m => m.CorrelationData.AsSpan().SequenceEqual(correlation));
        var responses = new float[64 * spec.OutputSize];
        Assert.Null(PatFrames.DecodeReply(TopicRecorder.Payload(reply), responses, spec.OutputSize));
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

    /// <summary>A 4 MiB tmpfs (as root) that can be filled to the last byte, or a plain folder and a page cap.</summary>
    private sealed class SmallVolume : IDisposable
    {
        private readonly bool _mounted;
        private string? _filler;

        public SmallVolume(string root)
        {
            Root = root;
            Directory.CreateDirectory(root);
            _mounted = OperatingSystem.IsLinux() && Environment.IsPrivilegedProcess
                && Run("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", root) == 0;
        }

        public string Root { get; }

        public void Fill(SqliteOutbox outbox)
        {
            if (!_mounted)
            {
                outbox.LimitPages(PageCount(outbox) + 1);
                return;
            }

            _filler = Path.Combine(Root, "filler");
            var chunk = new byte[64 * 1024];
            using var file = new FileStream(_filler, FileMode.Create, FileAccess.Write, FileShare.None, 1);
            try
            {
                while (true)
                {
                    file.Write(chunk);
                }
            }
            catch (IOException)
            {
                // No space left on the device: the volume is full.
            }
        }

        public void Free(SqliteOutbox outbox)
        {
            if (_filler is null)
            {
                outbox.LimitPages(1 << 30);
                return;
            }

            File.Delete(_filler);
        }

        public void Dispose()
        {
            if (_mounted)
            {
                // Lazy: SQLite's files may still be closing.
                Run("umount", "-l", Root);
            }
        }

        private static int PageCount(SqliteOutbox outbox)
        {
            using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={outbox.FilePath};Mode=ReadOnly;Pooling=False");
            connection.Open();
            using var pages = connection.CreateCommand();
            pages.CommandText = "PRAGMA page_count";
            return (int)(long)pages.ExecuteScalar()!;
        }

        private static int Run(string program, params string[] arguments)
        {
            var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start)!;
            process.WaitForExit();
            return process.ExitCode;
        }
    }
}
