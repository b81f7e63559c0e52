using System.Globalization;
using Edge.Domain.Data;
using Edge.Tests.Shared.Faults;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Edge.Integration.Tests;

/// <summary>
/// A broker whose disk is full, as operators see it: mosquitto with the shipped configuration and its persistence on
/// a full tmpfs, <c>edge-trainer serve</c> as a process, and the alert rule shipped in deploy/prometheus.
/// </summary>
public sealed class BrokerDiskAlertTests
{
    private static string Rules => Path.Combine(
        DataPaths.FindRepositoryRoot() ?? throw new InvalidOperationException("repository root not found"),
        "deploy", "prometheus");

    [Fact]
    public async Task The_shipped_alert_rules_are_valid_and_fire_on_a_broker_disk_error_only()
    {
        await Promtool.AssertRulesAsync(
            Path.Combine(Rules, "edge-alerts.yml"), Path.Combine(Rules, "edge-alerts.test.yml"));
    }

    [Fact]
    public async Task The_trainer_counts_and_logs_a_broker_that_cannot_write_its_disk()
    {
        MosquittoBroker.RequireInstalled();
        if (Environment.UserName != "root" || !File.Exists("/bin/mount"))
        {
            Assert.Skip("needs root to mount a tmpfs under mosquitto's persistence");
        }

        var token = TestContext.Current.CancellationToken;
        var work = Directory.CreateTempSubdirectory("edge-broker-disk-").FullName;
        ShippedBrokerFiles.OpenToBroker(new DirectoryInfo(work));
        var scene = await FaultScene.CreateAsync(work, FaultExecutables.BesideThisAssembly(), agents: 0);
        try
        {
            await FaultRows.MountBrokerVolumeAsync(scene);
            var metricsPort = FaultBroker.FreePort();
            scene.StartTrainer("--metrics-port", metricsPort.ToString(CultureInfo.InvariantCulture));
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{metricsPort}/") };
            Assert.Equal(0, await DiskErrorsAsync(http, token, wantAtLeast: 0, TimeSpan.FromSeconds(60)));

            // A session whose owner is away: the broker must keep its messages, so its persistence file outgrows
            // what one buffered write hides (a small file fails silently; a large one logs the error).
            var settings = scene.Broker.ServiceSettings();
            const string Topic = "edge/v1/nobody/model/offer";
            using (var absent = await ConnectAsync(settings, "absent-subscriber", cleanStart: false, token))
            {
                await absent.SubscribeAsync(Topic, MqttQualityOfServiceLevel.AtLeastOnce, token);
                await absent.DisconnectAsync(cancellationToken: token);
            }

            await FaultRows.FillAsync(Path.Combine(FaultRows.BrokerDataFolder(scene), "filler"));
            using var publisher = await ConnectAsync(settings, "disk-filler", cleanStart: true, token);
            var payload = new byte[2048];

            // The broker's log is not retained: errors it logs before the trainer's log watch has subscribed are
            // gone. A full disk keeps failing every autosave while the session changes, so keep changing it.
            var errors = 0;
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
            while (errors < 1 && DateTime.UtcNow < deadline)
            {
                for (var i = 0; i < 100; i++)
                {
                    await publisher.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(Topic)
                        .WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(),
                        token);
                }

                errors = await DiskErrorsAsync(http, token, wantAtLeast: 1, TimeSpan.FromSeconds(3));
            }

            Assert.True(errors >= 1,
                "the trainer counted no broker disk error; mosquitto said:\n" + scene.Broker.Process?.Tail());
            var warnings = scene.Trainer!.Matching("The broker cannot write its disk");
            Assert.True(warnings.Count >= 1, "no warning in the trainer's log:\n" + scene.Trainer.Tail());
            Assert.Contains("No space left on device", warnings[0], StringComparison.Ordinal);
        }
        finally
        {
            await scene.DisposeAsync();
            FaultRows.UnmountBrokerVolume(scene);
            Directory.Delete(work, recursive: true);
        }
    }

    // edge_trainer_broker_errors_total{kind="disk"} from the trainer's /metrics, polled until it reaches
    // wantAtLeast or the patience runs out (-1 while the trainer does not answer yet).
    private static async Task<int> DiskErrorsAsync(
        HttpClient http, CancellationToken token, int wantAtLeast, TimeSpan patience)
    {
        const string Series = "edge_trainer_broker_errors_total{kind=\"disk\"} ";
        var value = -1;
        var deadline = DateTime.UtcNow + patience;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                var text = await http.GetStringAsync(new Uri("metrics", UriKind.Relative), token);
                var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(Series, StringComparison.Ordinal));
                if (line is not null)
                {
                    value = (int)double.Parse(line[Series.Length..], CultureInfo.InvariantCulture);
                    if (value >= wantAtLeast)
                    {
                        return value;
                    }
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(200, token);
        }

        return value;
    }

    private static async Task<IMqttClient> ConnectAsync(
        Edge.Mqtt.MqttConnectionSettings settings, string clientId, bool cleanStart, CancellationToken token)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var options = settings.ApplyTo(new MqttClientOptionsBuilder()
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId(clientId)
            .WithCleanStart(cleanStart)
            .WithSessionExpiryInterval(cleanStart ? 0u : 3600u)).Build();
        await client.ConnectAsync(options, token);
        return client;
    }
}
