using System.Globalization;

namespace Edge.Mqtt;

/// <summary>
/// A broker address parsed from <c>mqtt://host[:port]</c> (plaintext) or <c>mqtts://host[:port]</c> (TLS).
/// </summary>
/// <param name="Host">Host name or address.</param>
/// <param name="Port">TCP port.</param>
/// <param name="UseTls">True for <c>mqtts://</c>.</param>
public readonly record struct MqttBrokerAddress(string Host, int Port, bool UseTls)
{
    /// <summary>Conventional port of <c>mqtt://</c>.</summary>
    public const int PlaintextPort = 1883;

    /// <summary>Conventional port of <c>mqtts://</c>.</summary>
    public const int TlsPort = 8883;

    /// <summary>The address as a URL.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{(UseTls ? "mqtts" : "mqtt")}://{Host}:{Port}");

    /// <summary>Parses <paramref name="url"/>; on failure <paramref name="problem"/> says what is wrong.</summary>
    public static bool TryParse(string? url, out MqttBrokerAddress address, out string problem)
    {
        address = default;
        if (string.IsNullOrWhiteSpace(url))
        {
            problem = "is empty; give mqtts://host:port (or mqtt://host:port for a lab broker).";
            return false;
        }

        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        bool? tls = scheme < 0 ? null : url[..scheme].ToLowerInvariant() switch
        {
            "mqtt" => false,
            "mqtts" => true,
            _ => null,
        };
        if (tls is null)
        {
            problem = $"'{url}' is not mqtts://host[:port] or mqtt://host[:port].";
            return false;
        }

        var rest = url[(scheme + 3)..].TrimEnd('/');
        var colon = rest.LastIndexOf(':');
        var host = colon < 0 ? rest : rest[..colon];
        var port = tls.Value ? TlsPort : PlaintextPort;
        if (colon >= 0
            && (!int.TryParse(rest.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port)
            || port is < 1 or > 65535))
        {
            problem = $"'{url}': '{rest[(colon + 1)..]}' is not a TCP port (1..65535).";
            return false;
        }

        if (host.Length == 0 || Uri.CheckHostName(host) == UriHostNameType.Unknown)
        {
            problem = $"'{url}': '{host}' is not a host name or address.";
            return false;
        }

        address = new MqttBrokerAddress(host, port, tls.Value);
        problem = "";
        return true;
    }

    /// <summary>Parses <paramref name="url"/>; throws <see cref="ArgumentException"/> naming the problem.</summary>
    public static MqttBrokerAddress Parse(string url) =>
        TryParse(url, out var address, out var problem)
            ? address
            : throw new ArgumentException($"Broker {problem}", nameof(url));
}
