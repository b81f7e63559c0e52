using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Edge.Domain.Messaging;
using MQTTnet;
using MQTTnet.Protocol;

namespace Edge.Benchmarks;

/// <summary>
/// A mosquitto and one real <c>edge-agent run</c> process (simulated electronic device, a vowel model installed, MQTT
/// on) in a temporary folder, for attacks that need the whole agent: its resident memory is read from /proc.
/// </summary>
internal sealed class SecurityLab : IDisposable
{
    private readonly string _folder;
    private readonly Process _broker;
    private readonly Process _agent;
    private readonly IMqttClient _observer;
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource<ModelAckMessage>> _acks = new();

    private SecurityLab(string folder, Process broker, Process agent, IMqttClient observer, string deviceId, int port)
    {
        (_folder, _broker, _agent, _observer, DeviceId, Port) = (folder, broker, agent, observer, deviceId, port);
    }

    public string DeviceId { get; }

    public int Port { get; }

    public static async Task<SecurityLab> StartAsync(string agentPath)
    {
        var folder = Directory.CreateTempSubdirectory("edge-security-").FullName;
        var port = FreePort();
        var config = Path.Combine(folder, "mosquitto.conf");
        await File.WriteAllTextAsync(config, $"listener {port} 127.0.0.1\nallow_anonymous true\n");
        var broker = Process.Start(new ProcessStartInfo("/usr/sbin/mosquitto", ["-c", config])
        {
            RedirectStandardError = true,
        })!;
        _ = broker.StandardError.ReadToEndAsync();
        var environment = await AgentRssBench.PrepareAsync(agentPath, folder);
        var deviceId = environment["EDGE_DEVICE__DEVICEID"];
        environment["EDGE_MQTT__ENABLED"] = "true";
        environment["EDGE_MQTT__HOST"] = "127.0.0.1";
        environment["EDGE_MQTT__PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        environment["EDGE_MQTT__OUTBOXPATH"] = Path.Combine(folder, "outbox.db");
        var start = new ProcessStartInfo(agentPath, ["run"]) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var agent = Process.Start(start)!;
        _ = agent.StandardError.ReadToEndAsync();
        _ = agent.StandardOutput.ReadToEndAsync();
        var observer = new MqttClientFactory().CreateMqttClient();
        var lab = new SecurityLab(folder, broker, agent, observer, deviceId, port);
        await lab.ObserveAsync();
        return lab;
    }

    /// <summary>Connects another client (an attacker) to the broker.</summary>
    public async Task<IMqttClient> ConnectAsync(string clientId)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(Options(clientId));
        return client;
    }

    /// <summary>The verdict the agent publishes for <paramref name="offerId"/>.</summary>
    public Task<ModelAckMessage> NextAck(Guid offerId)
        => _acks.GetOrAdd(offerId, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>Median VmRSS over one second, kB.</summary>
    public async Task<long> SteadyRssKbAsync()
    {
        var samples = new List<long>();
        for (var i = 0; i < 20; i++)
        {
            samples.Add(AgentRssBench.Status(_agent.Id, "VmRSS"));
            await Task.Delay(50);
        }

        samples.Sort();
        return samples[samples.Count / 2];
    }

    /// <summary>Resets the kernel's peak-RSS mark (VmHWM) of the agent.</summary>
    public void ResetPeak() => File.WriteAllText($"/proc/{_agent.Id}/clear_refs", "5");

    /// <summary>Peak VmRSS since <see cref="ResetPeak"/>, kB.</summary>
    public long PeakRssKb() => AgentRssBench.Status(_agent.Id, "VmHWM");

    public void Dispose()
    {
        _observer.Dispose();
        foreach (var process in new[] { _agent, _broker })
        {
            if (!process.HasExited)
            {
                process.Kill();
                process.WaitForExit();
            }

            process.Dispose();
        }

        Directory.Delete(_folder, recursive: true);
    }

    private async Task ObserveAsync()
    {
        var online = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _observer.ApplicationMessageReceivedAsync += e =>
        {
            var topic = e.ApplicationMessage.Topic;
            var payload = e.ApplicationMessage.Payload.ToArray();
            if (EdgeTopics.Parse(topic, out _) == TopicKind.Status
                && ControlJson.Parse(payload, MessagingJsonContext.Default.StatusMessage).State == StatusMessage.Online)
            {
                online.TrySetResult();
            }
            else if (EdgeTopics.Parse(topic, out _) == TopicKind.ModelAck)
            {
                var ack = ControlJson.Parse(payload, MessagingJsonContext.Default.ModelAckMessage);
                NextAck(ack.OfferId);
                _acks[ack.OfferId].TrySetResult(ack);
            }

            return Task.CompletedTask;
        };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await _observer.ConnectAsync(Options("observer"));
                break;
            }
            catch (MQTTnet.Exceptions.MqttCommunicationException) when (deadline.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(100);
            }
        }

        await _observer.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(EdgeTopics.For(DeviceId, TopicKind.Status), MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter(EdgeTopics.For(DeviceId, TopicKind.ModelAck), MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());
        await online.Task.WaitAsync(TimeSpan.FromSeconds(60));
    }

    private MqttClientOptions Options(string clientId) => new MqttClientOptionsBuilder()
        .WithTcpServer("127.0.0.1", Port)
        .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
        .WithClientId(clientId)
        .WithTimeout(TimeSpan.FromSeconds(60))
        .Build();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
