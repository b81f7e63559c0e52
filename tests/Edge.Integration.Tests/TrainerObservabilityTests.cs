using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Edge.Agent.Messaging;
using Edge.Domain.Messaging;
using Edge.Trainer.Live;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Integration.Tests;

/// <summary>The trainer's /metrics and /healthz as a scraper sees them, including the model-version gauges.</summary>
public sealed class TrainerObservabilityTests
{
    private const string Device = "observed-agent";

    [Fact]
    public async Task Metrics_show_ingest_and_model_versions_and_health_follows_the_broker()
    {
        await using var broker = TestBroker.Create("mqttnet");
        await broker.StartAsync();
        using var folder = new TempFolder();
        await using var store = await MeasurementStore.OpenAsync(folder.Path("trainer.db"),
            TestContext.Current.CancellationToken);
        var metrics = new TrainerMetrics();
        var options = new BrokerOptions { Host = "127.0.0.1", Port = broker.Port, UseTls = false, AllowPlaintext = true,
            ClientId = "observed-trainer" };
        await using var ingest = new MeasurementIngest(options, store, metrics, NullLogger.Instance);
        await using var models = new ModelVersionWatch(options, metrics, NullLogger.Instance);
        ingest.Start();
        models.Start();
        await ingest.WaitConnectedAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        await Eventually.TrueAsync(() => models.IsConnected, "the model watch subscribed");
        var port = FreePort();
        await using var endpoint = TrainerEndpoint.Start(metrics,
            ct => TrainerHealth.CheckAsync(ingest, store, TimeSpan.FromSeconds(2), ct), NullLogger.Instance, port);
        using var http = new HttpClient { BaseAddress = new Uri($"http://localhost:{port}/") };

        using (var healthy = await http.GetAsync(new Uri("healthz", UriKind.Relative),
            TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
            using var body =
                JsonDocument.Parse(await healthy.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            Assert.Equal("healthy", body.RootElement.GetProperty("status").GetString());
            Assert.Equal("edge-trainer", body.RootElement.GetProperty("service").GetString());
            var checks = body.RootElement.GetProperty("checks");
            Assert.Equal("healthy", checks.GetProperty("broker").GetProperty("status").GetString());
            Assert.Equal(
                $"connected to 127.0.0.1:{broker.Port}",
                    checks.GetProperty("broker").GetProperty("detail").GetString());
            Assert.Equal("healthy", checks.GetProperty("store").GetProperty("status").GetString());
            Assert.Equal("Sqlite answers", checks.GetProperty("store").GetProperty("detail").GetString());
        }

        // A batch to ingest and two offers: version 7 accepted, version 8 refused (the agent accepts up to 7).
        await using var agent = await AgentInstance.StartAsync(broker.Port, Device, folder.Path("outbox.db"),
            configure: s => s.AddSingleton<IModelOfferHandler>(new AcceptUpTo(7)));
        await using var sender = await TopicRecorder.ConnectAsync(broker.Port);
        await sender.PublishAsync(EdgeTopics.For(Device, TopicKind.Measurements),
            MessagingArbitraries.Batch(25, seed: 8).Encode());
        Assert.True((await ModelPublisher.OfferAsync(options with { ClientId =
            "publisher" }, Device, Package(7), TimeSpan.FromSeconds(20),
                TestContext.Current.CancellationToken)).Accepted);
        Assert.False((await ModelPublisher.OfferAsync(options with { ClientId =
            "publisher" }, Device, Package(8), TimeSpan.FromSeconds(20),
                TestContext.Current.CancellationToken)).Accepted);
        await Eventually.TrueAsync(() => ingest.Ingested == 25 && metrics.ModelPublishedVersion.WithLabels(Device).Value
            == 8, "the batch stored and the second offer seen");

        var text = await http.GetStringAsync(new Uri("metrics", UriKind.Relative),
            TestContext.Current.CancellationToken);
        Assert.Contains(
            $"edge_trainer_measurements_ingested_total{{device=\"{Device}\"}} 25", text, StringComparison.Ordinal);
        Assert.Contains("process_working_set_bytes ", text, StringComparison.Ordinal);
        Assert.Contains("edge_trainer_build_info{", text, StringComparison.Ordinal);
        await Promtool.AssertCleanAsync(text);
        Assert.Contains($"edge_trainer_model_published_version{{device=\"{Device}\"}} 8", text,
            StringComparison.Ordinal);
        Assert.Contains($"edge_trainer_model_accepted_version{{device=\"{Device}\"}} 7", text,
            StringComparison.Ordinal);
        Assert.Contains("edge_trainer_store_errors_total 0", text, StringComparison.Ordinal);

        using (var missing = await http.GetAsync(new Uri("nothing-here", UriKind.Relative),
            TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }

        await broker.StopAsync();
        await Eventually.TrueAsync(() => !ingest.IsConnected, "the ingest noticed the broker is gone");
        using var unhealthy = await http.GetAsync(new Uri("healthz", UriKind.Relative),
            TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, unhealthy.StatusCode);
        using var report =
            JsonDocument.Parse(await unhealthy.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("unhealthy", report.RootElement.GetProperty("status").GetString());
        var failed = report.RootElement.GetProperty("checks");
        Assert.Equal("unhealthy", failed.GetProperty("broker").GetProperty("status").GetString());
        Assert.Equal("healthy", failed.GetProperty("store").GetProperty("status").GetString());
    }

    [Fact]
    public void The_version_is_read_from_a_package_manifest_and_anything_else_has_none()
    {
        Assert.Equal(12, ModelPackageVersion.TryRead(Package(12)));
        Assert.Null(ModelPackageVersion.TryRead("not a zip"u8.ToArray()));
        Assert.Null(ModelPackageVersion.TryRead(Zip("other.json", "{}")));
        Assert.Null(ModelPackageVersion.TryRead(Zip("manifest.json", "{\"modelVersion\":\"seven\"}")));
        Assert.Null(ModelPackageVersion.TryRead(Zip("manifest.json", "[1, 2")));
    }

    [Fact]
    public async Task The_endpoint_refuses_a_port_it_cannot_use_naming_it()
    {
        var port = FreePort();
        await using var first = TrainerEndpoint.Start(new TrainerMetrics(), _ => throw new InvalidOperationException(),
            NullLogger.Instance, port);
        var error = Assert.Throws<InvalidOperationException>(()
            => TrainerEndpoint.Start(new TrainerMetrics(), _ => throw new InvalidOperationException(),
                NullLogger.Instance, port));
        Assert.Contains($"http://localhost:{port}/", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(()
            => TrainerEndpoint.Start(new TrainerMetrics(), _ => throw new InvalidOperationException(),
                NullLogger.Instance, 70000));
    }

    /// <summary>A package as far as the version reader cares: a zip with a manifest declaring the version.</summary>
    private static byte[] Package(int version)
        => Zip("manifest.json", $"{{\"schemaVersion\":1,\"modelVersion\":{version}}}");

    private static byte[] Zip(string entry, string text)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var stream = zip.CreateEntry(entry).Open();
            stream.Write(System.Text.Encoding.UTF8.GetBytes(text));
        }

        return buffer.ToArray();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Stands in for the model store: accepts packages up to a version.</summary>
    private sealed class AcceptUpTo(int newest) : IModelOfferHandler
    {
        public ValueTask<ModelOfferResult> HandleOfferAsync(ModelOffer offer, CancellationToken cancellationToken) =>
            ValueTask.FromResult(ModelPackageVersion.TryRead(offer.Package) <= newest
                ? new ModelOfferResult(true, "activated")
                : new ModelOfferResult(false, "calibration accuracy below the active model's"));
    }
}
