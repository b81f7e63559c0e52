using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Edge.Domain.Messaging;
using Edge.Domain.Simulation;
using Edge.Domain.Specs;
using Edge.Mqtt;
using MQTTnet;
using MQTTnet.Protocol;

namespace Edge.Benchmarks;

/// <summary>
/// A mosquitto and one real <c>edge-agent run</c> process (simulated electronic device, a vowel model installed, MQTT
/// on) in a temporary folder, for attacks that need the whole agent: its resident memory is read from /proc.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class SecurityLab : IDisposable
{
    private readonly string _folder;
    private readonly Process _broker;
    private readonly Process _agent;
    private readonly IMqttClient _observer;
    private readonly MqttConnectionSettings _trainer;
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource<ModelAckMessage>> _acks = new();

    private SecurityLab(
        string folder, Process broker, Process agent, IMqttClient observer, string deviceId,
            MqttConnectionSettings trainer)
    {
        (_folder, _broker, _agent, _observer, DeviceId, _trainer) = (folder, broker, agent, observer, deviceId,
            trainer);
    }

    /// <summary>How to repeat the attacks measured in the lab.</summary>
    public const string Command = "dotnet run -c Release --project tests/Edge.Benchmarks -- security";

    /// <summary>Issue 12's budget: how far the agent's resident memory may rise under an attack, MB.</summary>
    public const double MemoryBudgetMb = 16;

    public string DeviceId { get; }

    /// <summary>The layer the agent hosts (the simulated electronic part the bench model was trained on).</summary>
    public LayerSpec Spec => PhysicalSystems.Get("electronic").CreateDevice(DeviceId, seed: 5).Spec;

    public static async Task<SecurityLab> StartAsync(string agentPath, string root)
    {
        var folder = Directory.CreateTempSubdirectory("edge-security-").FullName;
        // mosquitto drops to its own user before it reads the configuration, certificates and ACLs.
        File.SetUnixFileMode(folder, (UnixFileMode)0b111_101_101);
        var environment = await AgentRssBench.PrepareAsync(agentPath, folder);
        var deviceId = environment["EDGE_DEVICE__DEVICEID"];
        var (broker, devicePort, servicePort) = await StartShippedBrokerAsync(root, folder, deviceId);
        var certificates = Path.Combine(folder, "certs");
        environment["EDGE_MQTT__ENABLED"] = "true";
        environment["EDGE_MQTT__URL"] = string.Create(CultureInfo.InvariantCulture, $"mqtts://localhost:{devicePort}");
        environment["EDGE_MQTT__CAFILE"] = Path.Combine(certificates, "ca.crt");
        environment["EDGE_MQTT__CRLFILE"] = Path.Combine(certificates, "ca.crl");
        environment["EDGE_MQTT__CLIENTCERTIFICATEFILE"] = Path.Combine(certificates, "devices", deviceId + ".crt");
        environment["EDGE_MQTT__CLIENTKEYFILE"] = Path.Combine(certificates, "devices", deviceId + ".key");
        environment["EDGE_MQTT__OUTBOXPATH"] = Path.Combine(folder, "outbox.db");
        var start = new ProcessStartInfo(agentPath, ["run"]) { RedirectStandardError = true,
            RedirectStandardOutput = true };
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var agent = Process.Start(start)!;
        _ = agent.StandardError.ReadToEndAsync();
        _ = agent.StandardOutput.ReadToEndAsync();
        var trainer = new MqttConnectionSettings
        {
            Host = "localhost",
            Port = servicePort,
            CaFile = Path.Combine(certificates, "ca.crt"),
            CrlFile = Path.Combine(certificates, "ca.crl"),
            ClientCertificateFile = Path.Combine(certificates, "services", "trainer.crt"),
            ClientKeyFile = Path.Combine(certificates, "services", "trainer.key"),
        };
        var lab = new SecurityLab(folder, broker, agent, new MqttClientFactory().CreateMqttClient(), deviceId, trainer);
        await lab.ObserveAsync();
        return lab;
    }

    /// <summary>
    /// Connects another client with the trainer's identity: the only one the shipped ACL lets publish offers, so the
    /// attacks measured here are those of a leaked trainer certificate or a compromised broker.
    /// </summary>
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

    /// <summary>A field of the agent's /proc status, kB.</summary>
    public long Status(string field) => AgentRssBench.Status(_agent.Id, field);

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

    private MqttClientOptions Options(string clientId) => _trainer.ApplyTo(new MqttClientOptionsBuilder()
        .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
        .WithClientId(clientId)
        .WithTimeout(TimeSpan.FromSeconds(60)))
        .Build();

    /// <summary>The broker of deploy/mosquitto with certificates for the device and the trainer, on free
    /// ports.</summary>
    private static async Task<(Process Broker, int DevicePort, int ServicePort)> StartShippedBrokerAsync(
        string root, string folder, string deviceId)
    {
        var deploy = Path.Combine(root, "deploy", "mosquitto");
        var certificates = Path.Combine(folder, "certs");
        var conf = Path.Combine(folder, "conf");
        var (devicePort, servicePort, passwordPort) = (FreePort(), FreePort(), FreePort());
        await RunAsync("bash", Path.Combine(deploy, "make-certs.sh"), "--dir", certificates, deviceId);
        await RunAsync("bash", Path.Combine(deploy, "render-config.sh"), "--out", conf, "--certs", certificates,
            "--device-port", Invariant(devicePort), "--service-port", Invariant(servicePort),
            "--password-port", Invariant(passwordPort));
        File.SetUnixFileMode(Path.Combine(conf, "data"), (UnixFileMode)0b111_111_111);
        var broker = Process.Start(new ProcessStartInfo("/usr/sbin/mosquitto",
            ["-c", Path.Combine(conf, "mosquitto.conf")])
        {
            RedirectStandardError = true,
        })!;
        _ = broker.StandardError.ReadToEndAsync();
        return (broker, devicePort, servicePort);
    }

    private static async Task RunAsync(string program, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        var said = await process.StandardError.ReadToEndAsync() + await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed: {said}");
        }
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
