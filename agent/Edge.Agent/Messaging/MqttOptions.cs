using Edge.Mqtt;

namespace Edge.Agent.Messaging;

/// <summary>
/// The agent's MQTT link, bound from <c>Edge:Mqtt</c>; validated by <see cref="MqttOptionsValidator"/>.
/// </summary>
public sealed class MqttOptions
{
    /// <summary>Configuration section the options are bound from.</summary>
    public const string SectionName = "Edge:Mqtt";

    /// <summary>When false (the default) the agent runs without a broker.</summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// Broker as <c>mqtts://host[:port]</c> (TLS, port 8883 by default) or <c>mqtt://host[:port]</c>, which is refused
    /// unless <see cref="AllowPlaintext"/> is set.
    /// </summary>
    public string Url { get; set; } = "mqtts://localhost:8883";

    /// <summary>Broker host name, from <see cref="Url"/> (for logs).</summary>
    public string Host => MqttBrokerAddress.TryParse(Url, out var address, out _) ? address.Host : Url;

    /// <summary>Broker TCP port, from <see cref="Url"/> (for logs); 0 when the URL does not parse.</summary>
    public int Port => MqttBrokerAddress.TryParse(Url, out var address, out _) ? address.Port : 0;

    /// <summary>
    /// MQTT client id; empty means <c>edge-agent-{deviceId}</c>. It keys the broker's persistent session.
    /// </summary>
    public string ClientId { get; set; } = "";

    /// <summary>User name for the broker, when it requires one (the password listener of deploy/mosquitto).</summary>
    public string? Username { get; set; }

    /// <summary>Password for <see cref="Username"/>.</summary>
    public string? Password { get; set; }

    /// <summary>
    /// PEM file of the CA the broker's certificate must chain to (only it is trusted); empty: system roots.
    /// </summary>
    public string? CaFile { get; set; }

    /// <summary>
    /// PEM CRL of that CA, checked offline; empty: the broker certificate's revocation is not checked.
    /// </summary>
    public string? CrlFile { get; set; }

    /// <summary>PEM certificate the agent presents (mTLS); its CN is the device id on the locked-down broker.</summary>
    public string? ClientCertificateFile { get; set; }

    /// <summary>PEM private key of <see cref="ClientCertificateFile"/>.</summary>
    public string? ClientKeyFile { get; set; }

    /// <summary>Permit a plaintext <c>mqtt://</c> broker. Lab only: everything travels in clear.</summary>
    public bool AllowPlaintext { get; set; }

    /// <summary>MQTT keep-alive, seconds.</summary>
    public int KeepAliveSeconds { get; set; } = 15;

    /// <summary>
    /// How long the broker keeps the session (subscriptions, queued QoS 1 messages) after a disconnect, seconds.
    /// </summary>
    public int SessionExpirySeconds { get; set; } = 24 * 3600;

    /// <summary>
    /// First reconnect delay, milliseconds; doubled per failure up to <see cref="ReconnectMaxDelayMs"/>, with jitter.
    /// </summary>
    public int ReconnectMinDelayMs { get; set; } = 250;

    /// <summary>Longest reconnect delay, milliseconds.</summary>
    public int ReconnectMaxDelayMs { get; set; } = 30_000;

    /// <summary>Fraction (0..1) of served PAT drives recorded as measurements for the trainer's twin.</summary>
    public double MeasurementSampleFraction { get; set; } = 0.1;

    /// <summary>Measurements per published batch.</summary>
    public int MeasurementBatchSize { get; set; } = 256;

    /// <summary>Longest time a partial batch waits before it is published, milliseconds.</summary>
    public int MeasurementFlushMs { get; set; } = 500;

    /// <summary>
    /// How long a measurement batch waits for the trainer's acknowledgement on <c>measurements/ack</c> before it is
    /// sent again, milliseconds; doubled per resend up to <see cref="MeasurementAckMaxTimeoutMs"/>.
    /// </summary>
    public int MeasurementAckTimeoutMs { get; set; } = 30_000;

    /// <summary>Longest wait for an acknowledgement before a resend, milliseconds.</summary>
    public int MeasurementAckMaxTimeoutMs { get; set; } = 480_000;

    /// <summary>Most measurement batches sent and not yet acknowledged; new batches wait in the outbox past it.
    /// </summary>
    public int MeasurementWindow { get; set; } = 64;

    /// <summary>Path of the SQLite store-and-forward outbox.</summary>
    public string OutboxPath { get; set; } = "edge-outbox.db";

    /// <summary>
    /// Most messages the outbox holds; past it the oldest measurements are dropped (never control messages).
    /// </summary>
    public int OutboxMaxMessages { get; set; } = 100_000;

    /// <summary>
    /// Most payload bytes the outbox holds; past it the oldest measurements are dropped (never control messages).
    /// </summary>
    public long OutboxMaxBytes { get; set; } = 256L << 20;

    /// <summary>Announce the agent's sensors to Home Assistant by MQTT discovery.</summary>
    public bool HomeAssistantDiscovery { get; set; }

    /// <summary>Home Assistant's discovery prefix.</summary>
    public string HomeAssistantPrefix { get; set; } = "homeassistant";

    /// <summary>
    /// Most drives one PAT request may carry; larger requests are refused from the frame header, before anything is
    /// allocated. Tighter than the wire limit of 2^22 values (the trainer splits at 512 drives).
    /// </summary>
    public int MaxPatDrivesPerRequest { get; set; } = 4096;

    /// <summary>
    /// Most drives played in one device call for PAT; an inference waiting for the device runs between slices.
    /// </summary>
    public int PatSliceDrives { get; set; } = 256;

    /// <summary>PAT requests one requester (the client id in its response topic) may have waiting.</summary>
    public int PatQueuePerRequester { get; set; } = 2;

    /// <summary>
    /// PAT requests waiting over all requesters; past it, and past the per-requester bound, requests are refused as
    /// busy.
    /// </summary>
    public int PatLaneCapacity { get; set; } = 8;

    /// <summary>Inference requests waiting; past it they are refused as busy.</summary>
    public int InferenceLaneCapacity { get; set; } = 8;

    /// <summary>Model offers waiting; past it they are refused as busy.</summary>
    public int OfferLaneCapacity { get; set; } = 2;

    /// <summary>
    /// Other control messages waiting (anything that is not inference, PAT or an offer); past it they are refused as
    /// busy.
    /// </summary>
    public int ControlLaneCapacity { get; set; } = 2;

    /// <summary>The connection part of these options, for <see cref="MqttConnectionSettings.ApplyTo"/>.</summary>
    public MqttConnectionSettings ToConnectionSettings()
    {
        var settings = new MqttConnectionSettings
        {
            AllowPlaintext = AllowPlaintext,
            CaFile = Empty(CaFile),
            CrlFile = Empty(CrlFile),
            ClientCertificateFile = Empty(ClientCertificateFile),
            ClientKeyFile = Empty(ClientKeyFile),
            Username = Empty(Username),
            Password = Password,
        };
        return MqttBrokerAddress.TryParse(Url, out var address, out _) ? settings.WithAddress(address) : settings;
    }

    // Environment variables cannot unset a value, only empty it: empty means not set.
    private static string? Empty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
