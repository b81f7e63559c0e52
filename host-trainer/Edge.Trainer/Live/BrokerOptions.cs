using Edge.Mqtt;
using MQTTnet;
using MQTTnet.Formatter;

namespace Edge.Trainer.Live;

/// <summary>
/// How the trainer reaches the MQTT broker: the shared <see cref="MqttConnectionSettings"/> (TLS against a CA file,
/// client certificate, credentials, plaintext only when allowed) plus the client id of one connection.
/// </summary>
public sealed record BrokerOptions : MqttConnectionSettings
{
    /// <summary>MQTT client id (keys the broker's persistent session for the ingest).</summary>
    public string ClientId { get; init; } = "edge-trainer";

    /// <summary>
    /// Parses <c>mqtts://host[:port]</c> (TLS, port 8883 by default) or <c>mqtt://host[:port]</c>;
    /// throws <see cref="ArgumentException"/> naming the problem.
    /// </summary>
    public static BrokerOptions Parse(string broker, string clientId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(broker);
        var address = MqttBrokerAddress.Parse(broker);
        return new BrokerOptions
        {
            ClientId = clientId,
            Host = address.Host,
            Port = address.Port,
            UseTls = address.UseTls,
        };
    }

    /// <summary>
    /// MQTT 5 client options for these settings; throws <see cref="MqttConnectionSettingsException"/> when they do not
    /// validate (plaintext without <see cref="MqttConnectionSettings.AllowPlaintext"/>, unreadable certificate files).
    /// </summary>
    public MqttClientOptions ToClientOptions(bool cleanStart, uint sessionExpirySeconds)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId(ClientId)
            .WithCleanStart(cleanStart)
            .WithSessionExpiryInterval(sessionExpirySeconds)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(15))
            .WithTimeout(TimeSpan.FromSeconds(10));
        return ApplyTo(builder).Build();
    }
}
