using MQTTnet;
using MQTTnet.Formatter;

namespace Edge.Trainer.Live;

/// <summary>How the trainer reaches the MQTT broker.</summary>
public sealed record BrokerOptions
{
    /// <summary>Broker host name or address.</summary>
    public string Host { get; init; } = "localhost";

    /// <summary>Broker TCP port.</summary>
    public int Port { get; init; } = 1883;

    /// <summary>MQTT client id (keys the broker's persistent session for the ingest).</summary>
    public string ClientId { get; init; } = "edge-trainer";

    /// <summary>User name, when the broker requires one.</summary>
    public string? Username { get; init; }

    /// <summary>Password for <see cref="Username"/>.</summary>
    public string? Password { get; init; }

    /// <summary>Connect over TLS.</summary>
    public bool UseTls { get; init; }

    /// <summary>
    /// Parses <c>host[:port]</c>, <c>mqtt://host[:port]</c> or <c>mqtts://host[:port]</c> (TLS, port 8883 by default);
    /// throws <see cref="ArgumentException"/> naming the problem.
    /// </summary>
    public static BrokerOptions Parse(string broker, string clientId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(broker);
        var address = broker;
        var tls = false;
        var scheme = broker.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            tls = broker[..scheme].ToLowerInvariant() switch
            {
                "mqtt" or "tcp" => false,
                "mqtts" or "ssl" => true,
                _ => throw new ArgumentException($"Broker '{broker}': scheme '{broker[..scheme]}' is not mqtt:// or mqtts://."),
            };
            address = broker[(scheme + 3)..].TrimEnd('/');
        }

        var colon = address.LastIndexOf(':');
        var host = colon < 0 ? address : address[..colon];
        var port = tls ? 8883 : 1883;
        if (colon >= 0 && (!int.TryParse(address.AsSpan(colon + 1), System.Globalization.CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
        {
            throw new ArgumentException($"Broker '{broker}': '{address[(colon + 1)..]}' is not a TCP port (1..65535).");
        }

        if (host.Length == 0 || Uri.CheckHostName(host) == UriHostNameType.Unknown)
        {
            throw new ArgumentException($"Broker '{broker}': '{host}' is not a host name or address.");
        }

        return new BrokerOptions { Host = host, Port = port, ClientId = clientId, UseTls = tls };
    }

    /// <summary>MQTT 5 client options for these settings.</summary>
    public MqttClientOptions ToClientOptions(bool cleanStart, uint sessionExpirySeconds)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(Host, Port)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId(ClientId)
            .WithCleanStart(cleanStart)
            .WithSessionExpiryInterval(sessionExpirySeconds)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(15))
            .WithTimeout(TimeSpan.FromSeconds(10));
        if (!string.IsNullOrEmpty(Username))
        {
            builder.WithCredentials(Username, Password);
        }

        if (UseTls)
        {
            builder.WithTlsOptions(tls => tls.UseTls());
        }

        return builder.Build();
    }
}
