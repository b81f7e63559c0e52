namespace Edge.Agent.Messaging;

/// <summary>The agent's MQTT link, bound from <c>Edge:Mqtt</c>; validated by <see cref="MqttOptionsValidator"/>.</summary>
public sealed class MqttOptions
{
    /// <summary>Configuration section the options are bound from.</summary>
    public const string SectionName = "Edge:Mqtt";

    /// <summary>When false (the default) the agent runs without a broker.</summary>
    public bool Enabled { get; set; }

    /// <summary>Broker host name or address.</summary>
    public string Host { get; set; } = "localhost";

    /// <summary>Broker TCP port (1883 plain, 8883 TLS by convention).</summary>
    public int Port { get; set; } = 1883;

    /// <summary>MQTT client id; empty means <c>edge-agent-{deviceId}</c>. It keys the broker's persistent session.</summary>
    public string ClientId { get; set; } = "";

    /// <summary>User name for the broker, when it requires one.</summary>
    public string? Username { get; set; }

    /// <summary>Password for <see cref="Username"/>.</summary>
    public string? Password { get; set; }

    /// <summary>Connect over TLS.</summary>
    public bool UseTls { get; set; }

    /// <summary>Accept a broker certificate that does not chain to a trusted root (test brokers only).</summary>
    public bool AllowUntrustedCertificates { get; set; }

    /// <summary>MQTT keep-alive, seconds.</summary>
    public int KeepAliveSeconds { get; set; } = 15;

    /// <summary>How long the broker keeps the session (subscriptions, queued QoS 1 messages) after a disconnect, seconds.</summary>
    public int SessionExpirySeconds { get; set; } = 24 * 3600;

    /// <summary>First reconnect delay, milliseconds; doubled per failure up to <see cref="ReconnectMaxDelayMs"/>, with jitter.</summary>
    public int ReconnectMinDelayMs { get; set; } = 250;

    /// <summary>Longest reconnect delay, milliseconds.</summary>
    public int ReconnectMaxDelayMs { get; set; } = 30_000;

    /// <summary>Fraction (0..1) of served PAT drives recorded as measurements for the trainer's twin.</summary>
    public double MeasurementSampleFraction { get; set; } = 0.1;

    /// <summary>Measurements per published batch.</summary>
    public int MeasurementBatchSize { get; set; } = 256;

    /// <summary>Longest time a partial batch waits before it is published, milliseconds.</summary>
    public int MeasurementFlushMs { get; set; } = 500;

    /// <summary>Path of the SQLite store-and-forward outbox.</summary>
    public string OutboxPath { get; set; } = "edge-outbox.db";

    /// <summary>Most messages the outbox holds; past it the oldest measurements are dropped (never control messages).</summary>
    public int OutboxMaxMessages { get; set; } = 100_000;

    /// <summary>Most payload bytes the outbox holds; past it the oldest measurements are dropped (never control messages).</summary>
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
}
