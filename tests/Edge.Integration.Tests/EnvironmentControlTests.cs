using System.Text;
using Edge.Domain.Devices;
using Edge.Domain.Messaging;
using Edge.Domain.Simulation;
using Edge.Tests.Shared.Commissioning;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Protocol;

namespace Edge.Integration.Tests;

/// <summary>
/// A drift caused on purpose: the operator sets a running agent's simulated part's environment over the shipped
/// broker (control/environment), with a stock client and with an MQTT 5 request/response; nobody else may.
/// </summary>
public sealed class EnvironmentControlTests
{
    private static string Topic => EdgeTopics.For(ShippedBroker.DeviceA, TopicKind.Environment);

    [Fact]
    [Trait("Category", "Security")]
    public async Task The_operator_sets_a_running_parts_environment_and_nobody_else_may()
    {
        await using var broker = await ShippedBroker.StartAsync();
        using var folder = new TempFolder();
        await using var agent = await AgentInstance.StartAsync(
            broker.DevicePort,
            ShippedBroker.DeviceA,
            folder.Path("outbox.db"),
            broker.AgentSettings(ShippedBroker.DeviceA));
        var part = (SimulatedDevice)agent.Services.GetRequiredService<IPhysicalDevice>();

        // The documented stock-client command (docs/field-updates.md), as the operator.
        await MosquittoPubAsync(broker, """{"schemaVersion":1,"ambientKelvin":30,"ageing":0.02}""");
        var wanted = new PartEnvironment { AmbientKelvin = 30, Ageing = 0.02 };
        await Eventually.TrueAsync(() => Equals(part.Environment, wanted), "the operator's environment applied");

        // Another requester, a device (even the part's own agent identity) and a stranger topic level: refused.
        using var requester = await ShippedBroker.ConnectAsync(broker.Service(ShippedBroker.Requester, "op-1"), "op-1");
        using var device = await ShippedBroker.ConnectAsync(broker.Device(ShippedBroker.DeviceB), "b");
        var swap = """{"schemaVersion":1,"partId":"sim-spare"}""";
        var requesterResult = await BrokerLockdownTests.PublishAsync(requester, Topic, swap);
        var deviceResult = await BrokerLockdownTests.PublishAsync(device, Topic, swap);
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, requesterResult.ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, deviceResult.ReasonCode);

        // The operator over MQTT 5 request/response: the answer says what the part now runs in, or why not.
        using var operatorClient = await ShippedBroker.ConnectAsync(broker.Service(ShippedBroker.Operator, "op"), "op");
        var replies = await BrokerLockdownTests.SubscribeAsync(
            operatorClient, EdgeTopics.EnvironmentResponse(ShippedBroker.Operator));
        await RequestAsync(operatorClient, swap);
        await Eventually.TrueAsync(() => replies.Count == 1, "the agent's answer to the part swap");
        var applied = Reply(replies.Single());
        Assert.True(applied.Applied);
        Assert.Equal("part 'sim-spare'", applied.Environment);
        Assert.Equal(new PartEnvironment { PartId = "sim-spare" }, part.Environment);

        await RequestAsync(operatorClient, """{"schemaVersion":1,"gain":0}""");
        await RequestAsync(operatorClient, """{"schemaVersion":1,"gain":"high"}""");
        await Eventually.TrueAsync(() => replies.Count == 3, "the agent's answers to two bad messages");
        var refused = replies.Skip(1).Select(Reply).ToList();
        Assert.All(refused, reply => Assert.False(reply.Applied));
        Assert.Contains("Gain", refused[0].Problem, StringComparison.Ordinal);
        Assert.Contains("invalid JSON", refused[1].Problem, StringComparison.Ordinal);
        Assert.Equal(new PartEnvironment { PartId = "sim-spare" }, part.Environment);
        Assert.True(agent.Mqtt.IsConnected);

        // The agent's own verb, as the operator; as another requester the broker refuses it.
        var (code, output, error) = await EnvironmentVerbAsync(
            broker, ShippedBroker.Operator, "--ambient-kelvin", "40");
        Assert.True(code == 0, error);
        Assert.Equal("dev-a: environment now ambient +40 K", output.Trim());
        Assert.Equal(new PartEnvironment { AmbientKelvin = 40 }, part.Environment);
        (code, _, error) = await EnvironmentVerbAsync(broker, ShippedBroker.Requester, "--gain", "0.5");
        Assert.Equal(4, code);
        Assert.Contains("not authorized", error, StringComparison.Ordinal);
        (code, _, error) = await EnvironmentVerbAsync(broker, ShippedBroker.Operator, "--ageing", "0.9");
        Assert.Equal(4, code);
        Assert.Contains("dev-a refused: Part environment 'Ageing' must be", error, StringComparison.Ordinal);
        Assert.Equal(new PartEnvironment { AmbientKelvin = 40 }, part.Environment);
    }

    private static async Task<(int Code, string Output, string Error)> EnvironmentVerbAsync(
        ShippedBroker broker, string identity, params string[] values)
    {
        var services = Path.Combine(broker.Certificates, "services");
        string[] arguments =
        [
            "environment", "--device-id", ShippedBroker.DeviceA,
            "--broker", $"mqtts://localhost:{broker.ServicePort}",
            "--ca-file", Path.Combine(broker.Certificates, "ca.crt"),
            "--client-cert", Path.Combine(services, identity + ".crt"),
            "--client-key", Path.Combine(services, identity + ".key"),
            "--identity", identity, .. values,
        ];
        using var output = new StringWriter();
        using var error = new StringWriter();
        var sources = new Edge.Agent.Configuration.AgentSettingsSources(null, new Dictionary<string, string?>());
        var code = await Edge.Agent.AgentCli.RunAsync(arguments, sources, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private static EnvironmentReplyMessage Reply(string received) => ControlJson.Parse(
        Encoding.UTF8.GetBytes(received[(received.IndexOf(' ', StringComparison.Ordinal) + 1)..]),
        MessagingJsonContext.Default.EnvironmentReplyMessage);

    private static Task<MqttClientPublishResult> RequestAsync(IMqttClient client, string json) => client.PublishAsync(
        new MqttApplicationMessageBuilder()
            .WithTopic(Topic)
            .WithPayload(json)
            .WithResponseTopic(EdgeTopics.EnvironmentResponse(ShippedBroker.Operator))
            .WithCorrelationData(Guid.NewGuid().ToByteArray())
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build(),
        TestContext.Current.CancellationToken);

    /// <summary>
    /// Publishes <paramref name="json"/> on dev-a's environment topic with the stock client, as the operator.
    /// </summary>
    internal static Task MosquittoPubAsync(ShippedBroker broker, string json) =>
        MosquittoPubAsync(broker.Certificates, broker.ServicePort, Topic, json);

    /// <summary>The documented <c>mosquitto_pub</c> of a control message as the operator.</summary>
    internal static Task MosquittoPubAsync(string certificates, int servicePort, string topic, string json) =>
        OperatorControl.MosquittoPubAsync(
            certificates, servicePort, topic, json, TestContext.Current.CancellationToken);
}
