using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Protocol;

namespace Edge.Integration.Tests;

/// <summary>
/// The shipped deploy/mosquitto configuration (docs/security.md, "Broker"), on a real mosquitto: each device reaches
/// only its own subtree, only the trainer sends offers, rollbacks and PAT requests, strangers and wrong passwords
/// are refused, and nobody can push an agent off the broker with its client id.
/// </summary>
public sealed class BrokerLockdownTests
{
    private static readonly string[] DeviceReports = ["status", "measurements", "model/ack", "inference", "errors"];
    private static readonly string[] TrainerCommands = ["pat/request", "model/offer", "model/rollback"];
    private const MqttClientPublishReasonCode Denied = MqttClientPublishReasonCode.NotAuthorized;

    [Fact]
    [Trait("Category", "Security")]
    public async Task A_device_cannot_publish_on_another_devices_topics()
    {
        await using var broker = await ShippedBroker.StartAsync();
        using var trainer = await ShippedBroker.ConnectAsync(broker.Trainer("watch"), "watch");
        var seen = await SubscribeAsync(trainer, "edge/v1/dev-b/#");
        using var deviceA = await ShippedBroker.ConnectAsync(broker.Device(ShippedBroker.DeviceA), "a");
        using var deviceB = await ShippedBroker.ConnectAsync(broker.Device(ShippedBroker.DeviceB), "b");

        var codes = new List<MqttClientPublishReasonCode>();
        foreach (var report in DeviceReports)
        {
            var forged = await PublishAsync(deviceA, $"edge/v1/dev-b/{report}", "forged");
            codes.Add(forged.ReasonCode);
            Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, forged.ReasonCode);
        }

        // B's own report, published after the forgeries, is what the trainer sees — and nothing else.
        Assert.True((await PublishAsync(deviceB, "edge/v1/dev-b/status", "genuine")).IsSuccess);
        await Eventually.TrueAsync(() => !seen.IsEmpty, "B's own status reaches the trainer");
        Assert.Equal(["edge/v1/dev-b/status genuine"], seen);
        SecurityReport.Record(
            "broker-cross-publish",
            "Cross-device publish: dev-a's certificate writes dev-b's status (fake offline), measurements (forged "
                + "field data), model/ack (forged verdict), inference and errors (shipped broker)",
            Repeat(nameof(A_device_cannot_publish_on_another_devices_topics)),
            "every publish NotAuthorized; the trainer sees only dev-b's own status",
            $"{codes.Count(c => c == Denied)} of {codes.Count} publishes {string.Join("/", codes.Distinct())}; "
                + $"trainer saw {seen.Count} message(s): {string.Join(", ", seen)}",
            codes.All(c => c == Denied) && seen.Count == 1);
    }

    [Fact]
    [Trait("Category", "Security")]
    public async Task A_device_cannot_receive_another_devices_requests_or_offers()
    {
        await using var broker = await ShippedBroker.StartAsync();
        using var trainer = await ShippedBroker.ConnectAsync(broker.Trainer("commands"), "commands");
        using var deviceA = await ShippedBroker.ConnectAsync(broker.Device(ShippedBroker.DeviceA), "a");
        using var deviceB = await ShippedBroker.ConnectAsync(broker.Device(ShippedBroker.DeviceB), "b");
        var eavesdropped = await SubscribeAsync(
            deviceA, "edge/v1/dev-b/pat/request", "edge/v1/dev-b/model/offer", "edge/v1/#");
        var delivered = await SubscribeAsync(deviceB, "edge/v1/dev-b/pat/request", "edge/v1/dev-b/model/offer");

        Assert.True((await PublishAsync(trainer, "edge/v1/dev-b/pat/request", "drives")).IsSuccess);
        Assert.True((await PublishAsync(trainer, "edge/v1/dev-b/model/offer", "package")).IsSuccess);
        // A control message A may read, sent last: once it is in, anything A could see of B's has arrived too.
        Assert.True((await PublishAsync(trainer, "edge/v1/dev-a/pat/request", "for a")).IsSuccess);

        await Eventually.TrueAsync(
            () => delivered.Count == 2 && !eavesdropped.IsEmpty, "B's requests and A's control arrive");
        Assert.Equal(["edge/v1/dev-a/pat/request for a"], eavesdropped);
        SecurityReport.Record(
            "broker-eavesdrop",
            "Eavesdrop: dev-a subscribes to dev-b's pat/request, model/offer and edge/v1/# to collect packages",
            Repeat(nameof(A_device_cannot_receive_another_devices_requests_or_offers)),
            "dev-a receives none of dev-b's messages; dev-b receives both",
            $"dev-a received {eavesdropped.Count(m => m.Contains("dev-b", StringComparison.Ordinal))} of dev-b's "
                + $"messages (only its own: {string.Join(", ", eavesdropped)}); dev-b received {delivered.Count}",
            eavesdropped.All(m => !m.Contains("dev-b", StringComparison.Ordinal)) && delivered.Count == 2);
    }

    [Fact]
    [Trait("Category", "Security")]
    public async Task Only_the_trainer_may_send_offers_rollbacks_and_pat_requests()
    {
        await using var broker = await ShippedBroker.StartAsync();
        using var deviceB = await ShippedBroker.ConnectAsync(broker.Device(ShippedBroker.DeviceB), "b");
        var received = await SubscribeAsync(deviceB, "edge/v1/dev-b/#");
        using var deviceA = await ShippedBroker.ConnectAsync(broker.Device(ShippedBroker.DeviceA), "a");
        using var requester = await ShippedBroker.ConnectAsync(broker.Service(ShippedBroker.Requester, "op"), "op");
        using var trainer = await ShippedBroker.ConnectAsync(broker.Trainer("trainer-cmd"), "trainer-cmd");

        var codes = new List<MqttClientPublishReasonCode>();
        foreach (var command in TrainerCommands)
        {
            codes.Add((await PublishAsync(deviceA, $"edge/v1/dev-b/{command}", "from a")).ReasonCode);
            codes.Add((await PublishAsync(requester, $"edge/v1/dev-b/{command}", "from op")).ReasonCode);
        }

        codes.Add((await PublishAsync(deviceA, "edge/v1/dev-b/inference/request", "from a")).ReasonCode);
        Assert.All(codes, code => Assert.Equal(Denied, code));
        Assert.True((await PublishAsync(requester, "edge/v1/dev-b/inference/request", "from op")).IsSuccess);
        Assert.True((await PublishAsync(trainer, "edge/v1/dev-b/pat/request", "from trainer")).IsSuccess);

        await Eventually.TrueAsync(
            () => received.Count == 2, "the requester's inference request and the trainer's PAT request");
        Assert.Equal(["edge/v1/dev-b/inference/request from op", "edge/v1/dev-b/pat/request from trainer"], received);
        SecurityReport.Record(
            "broker-trainer-only",
            "PAT request, model offer and rollback from a non-trainer (another device, an inference requester)",
            Repeat(nameof(Only_the_trainer_may_send_offers_rollbacks_and_pat_requests)),
            "all NotAuthorized; only the trainer's PAT and the requester's inference reach the device",
            $"{codes.Count(c => c == Denied)} of {codes.Count} publishes {string.Join("/", codes.Distinct())}; "
                + $"device received {string.Join(", ", received)}",
            codes.All(c => c == Denied) && received.Count == 2);
    }

    [Fact]
    [Trait("Category", "Security")]
    public async Task Clients_without_a_trusted_identity_are_refused()
    {
        await using var broker = await ShippedBroker.StartAsync();
        using var folder = new TempFolder();
        var stranger = StrangerCertificate(folder, ShippedBroker.DeviceA);

        // No client certificate, a self-made certificate with a device's name, a device certificate on the service
        // listener, and no credentials on the password listener.
        var selfMade = broker.Tls(broker.DevicePort) with
        {
            ClientCertificateFile = stranger.Certificate,
            ClientKeyFile = stranger.Key,
        };
        var refusals = new[]
        {
            await RefusedAsync(broker.Tls(broker.DevicePort)),
            await RefusedAsync(selfMade),
            await RefusedAsync(broker.Device(ShippedBroker.DeviceA) with { Port = broker.ServicePort }),
            await RefusedAsync(broker.Tls(broker.PasswordPort)),
        };

        using var genuine = await ShippedBroker.ConnectAsync(broker.Device(ShippedBroker.DeviceA), "genuine");
        Assert.True(genuine.IsConnected);
        SecurityReport.Record(
            "broker-untrusted",
            "Connect anonymously (no certificate, no password), with a self-signed certificate named dev-a, and with a "
                + "device certificate on the service listener",
            Repeat(nameof(Clients_without_a_trusted_identity_are_refused)),
            "all 4 connections refused; the genuine dev-a connects",
            $"{refusals.Length} refused ({string.Join("; ", refusals.Distinct())}); "
                + $"genuine connected: {genuine.IsConnected}",
            genuine.IsConnected);
    }

    [Fact]
    [Trait("Category", "Security")]
    public async Task A_revoked_device_certificate_is_refused_once_the_crl_is_reloaded()
    {
        await using var broker = await ShippedBroker.StartAsync();
        using (var before = await ShippedBroker.ConnectAsync(broker.Device(ShippedBroker.DeviceB), "b"))
        {
            Assert.True(before.IsConnected);
        }

        await broker.RevokeAndRestartAsync(ShippedBroker.DeviceB);

        var refusal = await RefusedAsync(broker.Device(ShippedBroker.DeviceB));
        using var other = await ShippedBroker.ConnectAsync(broker.Device(ShippedBroker.DeviceA), "a");
        Assert.True(other.IsConnected);
        SecurityReport.Record(
            "broker-revoked",
            "Connect with a device certificate revoked by make-certs.sh revoke (CRL reloaded by the broker)",
            Repeat(nameof(A_revoked_device_certificate_is_refused_once_the_crl_is_reloaded)),
            "refused; other devices still connect",
            $"refused ({refusal}); dev-a connected: {other.IsConnected}",
            other.IsConnected);
    }

    [Fact]
    [Trait("Category", "Security")]
    public async Task A_wrong_password_is_refused_and_the_right_one_accepted()
    {
        await using var broker = await ShippedBroker.StartAsync();
        var settings = broker.Tls(broker.PasswordPort) with { Username = ShippedBroker.PasswordDevice };

        var wrong = await RefusedAsync(settings with { Password = "wrong" });
        var borrowed = await RefusedAsync(
            settings with { Username = ShippedBroker.DeviceA, Password = ShippedBroker.DevicePassword });

        using var client = await ShippedBroker.ConnectAsync(
            settings with { Password = ShippedBroker.DevicePassword }, "p");
        Assert.True((await PublishAsync(client, "edge/v1/dev-p/status", "online")).IsSuccess);
        var forged = (await PublishAsync(client, "edge/v1/dev-a/status", "forged")).ReasonCode;
        Assert.Equal(Denied, forged);
        SecurityReport.Record(
            "broker-password",
            "Password listener: wrong password, another user's password, then a valid user forging another device",
            Repeat(nameof(A_wrong_password_is_refused_and_the_right_one_accepted)),
            "both logins refused; the valid user is confined to its own subtree",
            $"wrong password refused ({wrong}); borrowed password refused ({borrowed}); forged status {forged}",
            forged == Denied);
    }

    [Fact]
    [Trait("Category", "Security")]
    public async Task Another_device_cannot_take_over_the_agents_client_id()
    {
        await using var broker = await ShippedBroker.StartAsync();
        using var folder = new TempFolder();
        await using var agent = await AgentInstance.StartAsync(
            broker.DevicePort,
            ShippedBroker.DeviceA,
            folder.Path("outbox.db"),
            broker.AgentSettings(ShippedBroker.DeviceA));

        // The agent's own client id and the id the broker gives it (its identity): both become dev-b's.
        using var thief = await ShippedBroker.ConnectAsync(broker.Device(ShippedBroker.DeviceB), "edge-agent-dev-a");
        using var second = await ShippedBroker.ConnectAsync(
            broker.Device(ShippedBroker.DeviceB), ShippedBroker.DeviceA);

        // A takeover disconnects the agent at once and it reconnects within its 50-400 ms backoff; give it a second.
        await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        var (connected, reconnects) = (agent.Mqtt.IsConnected, agent.Metrics.Reconnects.Value);
        Assert.True(connected);
        Assert.Equal(0, reconnects);
        SecurityReport.Record(
            "broker-client-id",
            "Client-id takeover: dev-b connects as 'edge-agent-dev-a' and as 'dev-a' while the agent runs",
            Repeat(nameof(Another_device_cannot_take_over_the_agents_client_id)),
            "the agent stays connected, 0 reconnects (the broker binds the client id to the certificate)",
            $"agent connected: {connected}; reconnects after 1 s: {reconnects}",
            connected && reconnects == 0);
    }

    private static string Repeat(string test) => SecurityReport.TestCommand("Edge.Integration.Tests", test);

    /// <summary>Asserts the connection is refused; returns the kind of refusal for the report.</summary>
    private static async Task<string> RefusedAsync(Edge.Mqtt.MqttConnectionSettings settings)
    {
        var error = await Assert.ThrowsAnyAsync<MqttCommunicationException>(
            () => ShippedBroker.ConnectAsync(settings, "refused"));
        return error.Message.ReplaceLineEndings(" ");
    }

    internal static async Task<ConcurrentQueue<string>> SubscribeAsync(IMqttClient client, params string[] filters)
    {
        var seen = new ConcurrentQueue<string>();
        client.ApplicationMessageReceivedAsync += e =>
        {
            seen.Enqueue($"{e.ApplicationMessage.Topic} {e.ApplicationMessage.ConvertPayloadToString()}");
            return Task.CompletedTask;
        };
        var subscribe = new MqttClientSubscribeOptionsBuilder();
        foreach (var filter in filters)
        {
            subscribe.WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce);
        }

        await client.SubscribeAsync(subscribe.Build(), TestContext.Current.CancellationToken);
        return seen;
    }

    internal static Task<MqttClientPublishResult> PublishAsync(IMqttClient client, string topic, string payload) =>
        client.PublishAsync(
            new MqttApplicationMessageBuilder()
                .WithTopic(topic)
                .WithPayload(payload)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .Build(),
            TestContext.Current.CancellationToken);

    private static (string Certificate, string Key) StrangerCertificate(TempFolder folder, string commonName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
        var (certificatePath, keyPath) = (folder.Path("stranger.crt"), folder.Path("stranger.key"));
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certificatePath, keyPath);
    }
}
