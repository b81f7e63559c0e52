using Edge.Domain.Messaging;
using Edge.Domain.Simulation;
using Edge.Trainer.Live;
using Microsoft.Data.Sqlite;

namespace Edge.Integration.Tests;

/// <summary>
/// End-to-end delivery of measurements: a batch leaves the agent's outbox only on the trainer's
/// <c>measurements/ack</c>, never on a PUBACK (least of all one saying nobody subscribed), and a measurement is
/// committed before the reply it belongs to is visible.
/// </summary>
public sealed class EndToEndDeliveryTests
{
    private static readonly Dictionary<string, string?> QuickAcks = new()
    {
        ["Edge:Mqtt:MeasurementBatchSize"] = "50",
        ["Edge:Mqtt:MeasurementAckTimeoutMs"] = "500",
        ["Edge:Mqtt:MeasurementAckMaxTimeoutMs"] = "2000",
    };

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Batches_nobody_subscribed_to_stay_in_the_outbox_until_a_trainer_stores_and_acknowledges_them()
    {
        await using var field = await DeliveryField.StartAsync();
        var agent = await field.StartAgentAsync("unrouted-agent", QuickAcks);
        Produce(agent, 100, seed: 1);

        // The broker answers "no matching subscribers": that is no delivery, the batches stay and are sent again.
        await Eventually.TrueAsync(
            () => agent.Metrics.MeasurementResends.Value >= 2,
            "the unrouted batches were sent again");
        Assert.True(agent.Metrics.MeasurementsUnrouted.Value >= 2);
        Assert.Equal(2, agent.Outbox.Count);
        var text = await ScrapeAsync(agent);
        Assert.Contains("edge_agent_outbox_messages 2", text, StringComparison.Ordinal);

        // During an outage the depth metrics still tell the truth (they are read at scrape time).
        await field.Broker.StopAsync();
        await Eventually.TrueAsync(() => !agent.Mqtt.IsConnected, "the agent saw the broker go");
        Produce(agent, 100, seed: 2);
        Assert.Contains("edge_agent_outbox_messages 4", await ScrapeAsync(agent), StringComparison.Ordinal);

        await field.Broker.StartAsync();
        var trainer = await field.StartIngestAsync("ingest-unrouted");
        await Eventually.TrueAsync(() => agent.Outbox.Count == 0, "the trainer's acks emptied the outbox", seconds: 30);
        Assert.Equal(200, agent.Recorder.Recorded);
        Assert.Equal(200, (await trainer.Store.IdsAsync("unrouted-agent", Token)).Count);
        Assert.Equal(4, agent.Metrics.MeasurementAcks.Value);
        Assert.True(trainer.Metrics.MeasurementAcks.Value >= 4);
    }

    [Fact]
    public async Task A_reply_is_published_only_after_the_measurements_it_belongs_to_are_committed()
    {
        await using var field = await DeliveryField.StartAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Edge:Mqtt:MeasurementSampleFraction"] = "1",
            ["Edge:Mqtt:MeasurementBatchSize"] = "256",
            ["Edge:Mqtt:MeasurementFlushMs"] = "600000",
        };
        var agent = await field.StartAgentAsync("durable-agent", settings);
        await using var requester = await TopicRecorder.ConnectAsync(
            field.Broker.Port,
            "edge/v1/_requesters/durable/pat/response");
        var spec = PhysicalSystems.Get(AgentInstance.System).Spec;
        var committedAtReply = new List<long>();
        for (var request = 1; request <= 5; request++)
        {
            var drives = PatLoopTests.Drives(spec, 7, (ulong)request);
            await requester.PublishAsync(
                EdgeTopics.For("durable-agent", TopicKind.PatRequest),
                PatFrames.EncodeRequest(drives, spec.DriveLength),
                "edge/v1/_requesters/durable/pat/response",
                [(byte)request]);
            await Eventually.TrueAsync(() => requester.Received.Count == request, "the PAT reply arrived");

            // What another process (a crash survivor) reads from the file the moment the reply is seen.
            committedAtReply.Add(CommittedMeasurements(field.OutboxPath));
        }

        // Far below a batch of 256 and long before the flush interval: each reply forced its 7 measurements in.
        Assert.Equal([7, 14, 21, 28, 35], committedAtReply);
    }

    [Fact]
    public async Task A_corrupt_outbox_is_set_aside_at_start_reported_on_the_errors_topic_and_the_agent_serves()
    {
        await using var field = await DeliveryField.StartAsync();
        await File.WriteAllBytesAsync(
            field.OutboxPath, [.. Enumerable.Range(0, 8192).Select(i => (byte)(i * 31))], Token);
        var errors = await field.RecordErrorsAsync("corrupt-agent");
        var agent = await field.StartAgentAsync("corrupt-agent", QuickAcks);

        await Eventually.TrueAsync(() => !errors.Received.IsEmpty, "the set-aside outbox reported on the errors topic");
        var alert = DeliveryField.FirstAlert(errors);
        Assert.Equal("agent/outbox", alert.Topic);
        Assert.Contains("corrupt", alert.Problem, StringComparison.Ordinal);
        Assert.Single(Directory.GetFiles(field.Folder.Path(""), "outbox.db.corrupt-*"));
        Produce(agent, 50, seed: 3);
        await Eventually.TrueAsync(() => agent.Outbox.AwaitingAck == 1, "the fresh outbox stores and sends");
    }

    [Fact]
    public async Task A_problem_of_the_model_store_goes_to_the_errors_topic()
    {
        await using var field = await DeliveryField.StartAsync();
        var store = new ProblemSource(["state.json was unreadable; rebuilt from versions/"]);
        var errors = await field.RecordErrorsAsync("store-agent");
        await field.StartAgentAsync(
            "store-agent",
            configure: services => Microsoft.Extensions.DependencyInjection.ServiceCollectionServiceExtensions
                .AddSingleton<Edge.Agent.Messaging.IProblemSource>(services, store));
        store.Report("no space left on the model store's volume");

        await Eventually.TrueAsync(() => errors.Received.Count == 2, "both problems on the errors topic");
        var alerts = errors.Received
            .Select(m => ControlJson.Parse(TopicRecorder.Payload(m), MessagingJsonContext.Default.ErrorMessage))
            .ToList();
        Assert.Equal(["agent/model-store", "agent/model-store"], alerts.Select(a => a.Topic));
        Assert.Equal([.. store.Problems], alerts.Select(a => a.Problem));
    }

    [Fact]
    public async Task A_refused_ack_subscription_is_alerted_and_makes_the_agent_degraded()
    {
        // mosquitto 2.0's acl_file grants every subscription and filters deliveries; a broker with an ACL plugin
        // (or MQTTnet's) refuses in the SUBACK, which is what the agent must notice.
        await using var field = await DeliveryField.StartAsync(_ =>
        {
            var broker = new InProcessBroker();
            broker.RefusedFilters.Add("edge/v1/deaf-agent/measurements/ack");
            return broker;
        });
        var errors = await field.RecordErrorsAsync("deaf-agent");
        var agent = await field.StartAgentAsync("deaf-agent");

        await Eventually.TrueAsync(() => !errors.Received.IsEmpty, "the refusal on the errors topic");
        var alert = DeliveryField.FirstAlert(errors);
        Assert.Equal("edge/v1/deaf-agent/measurements/ack", alert.Topic);
        Assert.Contains("refused the subscription", alert.Problem, StringComparison.Ordinal);
        Assert.Contains(agent.Mqtt.Problems, p => p.Contains("measurements/ack", StringComparison.Ordinal));
        Assert.Equal(1, agent.Metrics.SubscriptionRefusals.Value);
    }

    [Fact]
    public async Task Acknowledgements_the_broker_never_delivers_are_alerted_and_nothing_leaves_the_outbox()
    {
        // mosquitto 2.0 grants the subscription and silently drops what the ACL denies: an ACL missing the device's
        // read line for its acks.
        await using var field = await DeliveryField.StartAsync(folder => new MosquittoBroker(port =>
        {
            if (!OperatingSystem.IsWindows())
            {
                // mosquitto drops to its own user before it reads the configuration and the ACL.
                new DirectoryInfo(folder.Path("")).UnixFileMode |= UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
            }

            var acl = folder.Path("acl.conf");
            File.WriteAllText(acl, "topic readwrite #\ntopic deny edge/v1/+/measurements/ack\n");
            var conf = folder.Path("mosquitto.conf");
            File.WriteAllText(
                conf,
                $"listener {port} 127.0.0.1\nallow_anonymous true\n"
                + $"acl_file {acl}\nlog_dest stderr\n");
            return conf;
        }));
        var trainer = await field.StartIngestAsync("ingest-silent");
        await trainer.Ingest.WaitConnectedAsync(TimeSpan.FromSeconds(10), Token);
        var errors = await field.RecordErrorsAsync("silent-agent");
        var agent = await field.StartAgentAsync("silent-agent", QuickAcks);
        Produce(agent, 50, seed: 4);

        await Eventually.TrueAsync(() => !errors.Received.IsEmpty, "the missing acknowledgements alerted", seconds: 30);
        var alert = DeliveryField.FirstAlert(errors);
        Assert.Contains("no acknowledgement", alert.Problem, StringComparison.Ordinal);
        Assert.Equal(50, await trainer.Store.CountAsync("silent-agent", Token));
        Assert.Equal(1, agent.Outbox.Count);
        Assert.Equal(0, agent.Metrics.MeasurementAcks.Value);
    }

    /// <summary>Records <paramref name="count"/> measurements and commits them to the outbox.</summary>
    internal static void Produce(AgentInstance agent, int count, ulong seed)
    {
        var spec = PhysicalSystems.Get(AgentInstance.System).Spec;
        var drives = PatLoopTests.Drives(spec, count, seed);
        var responses = new float[spec.OutputSize];
        for (var i = 0; i < count; i++)
        {
            agent.Recorder.Record(
                drives.AsSpan(i * spec.DriveLength, spec.DriveLength),
                responses,
                DateTimeOffset.UtcNow);
        }

        agent.Recorder.Flush();
    }

    internal static BrokerOptions Plain(int port, string clientId) =>
        new() { Host = "127.0.0.1", Port = port, UseTls = false, AllowPlaintext = true, ClientId = clientId };

    private static long CommittedMeasurements(string outbox) => ReadBatches(outbox).Sum(b => (long)b.Count);

    private static List<MeasurementBatch> ReadBatches(string outbox)
    {
        using var connection = new SqliteConnection($"Data Source={outbox};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var select = connection.CreateCommand();
        select.CommandText = "SELECT payload FROM outbox WHERE is_measurement = 1";
        using var reader = select.ExecuteReader();
        var batches = new List<MeasurementBatch>();
        while (reader.Read())
        {
            batches.Add(MeasurementBatch.Decode((byte[])reader[0]));
        }

        return batches;
    }

    private static async Task<string> ScrapeAsync(AgentInstance agent)
    {
        using var text = new MemoryStream();
        await agent.Metrics.Registry.CollectAndExportAsTextAsync(text, Token);
        return System.Text.Encoding.UTF8.GetString(text.ToArray());
    }

    private sealed class ProblemSource(IEnumerable<string> initial) : Edge.Agent.Messaging.IProblemSource
    {
        private readonly List<string> _problems = [.. initial];

        public event Action<string>? ProblemReported;

        public string Component => "agent/model-store";

        public IReadOnlyList<string> Problems => [.. _problems];

        public void Report(string problem)
        {
            _problems.Add(problem);
            ProblemReported?.Invoke(problem);
        }
    }
}
