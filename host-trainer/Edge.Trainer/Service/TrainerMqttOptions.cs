using Edge.Mqtt;
using Edge.Trainer.Live;

namespace Edge.Trainer.Service;

/// <summary>
/// How <c>serve</c> reaches the broker, bound from <c>Edge:Mqtt</c> (the agent's section name and keys).
/// </summary>
public sealed class TrainerMqttOptions
{
    /// <summary>Configuration section the options are bound from.</summary>
    public const string SectionName = "Edge:Mqtt";

    /// <summary>
    /// Broker as <c>mqtts://host[:port]</c> (TLS, port 8883 by default) or <c>mqtt://host[:port]</c>.
    /// </summary>
    public string Url { get; set; } = "mqtts://localhost:8884";

    /// <summary>MQTT client id; keys the broker session that queues measurements while the trainer is away.</summary>
    public string ClientId { get; set; } = "edge-trainer";

    /// <summary>User name for the broker.</summary>
    public string? Username { get; set; }

    /// <summary>File whose first line is the password of <see cref="Username"/> (never the password itself).</summary>
    public string? PasswordFile { get; set; }

    /// <summary>PEM CA the broker's certificate must chain to (only it is trusted); null: the system roots.</summary>
    public string? CaFile { get; set; }

    /// <summary>PEM CRL of that CA, checked offline.</summary>
    public string? CrlFile { get; set; }

    /// <summary>PEM client certificate (mTLS); its CN is the trainer's identity on the broker.</summary>
    public string? ClientCertificateFile { get; set; }

    /// <summary>PEM private key of <see cref="ClientCertificateFile"/>.</summary>
    public string? ClientKeyFile { get; set; }

    /// <summary>Permit <c>mqtt://</c> (no TLS): everything travels in clear. Lab only.</summary>
    public bool AllowPlaintext { get; set; }

    /// <summary>
    /// The broker options these settings describe, or the problems, each naming its key (<c>Edge:Mqtt:…</c>).
    /// </summary>
    public BrokerOptions? TryResolve(List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        var before = problems.Count;
        var parsed = MqttBrokerAddress.TryParse(Url, out var address, out var problem);
        if (!parsed)
        {
            problems.Add($"{SectionName}:{nameof(Url)}: {problem}");
        }

        if (string.IsNullOrWhiteSpace(ClientId))
        {
            problems.Add($"{SectionName}:{nameof(ClientId)}: must not be empty.");
        }

        string? password = null;
        if (PasswordFile is not null)
        {
            if (string.IsNullOrEmpty(Username))
            {
                problems.Add($"{SectionName}:{nameof(PasswordFile)}: needs {SectionName}:{nameof(Username)}.");
            }
            else if (!File.Exists(PasswordFile))
            {
                problems.Add(
                    $"{SectionName}:{nameof(PasswordFile)}: '{Path.GetFullPath(PasswordFile)}' does not exist.");
            }
            else if (string.IsNullOrEmpty(password = File.ReadLines(PasswordFile).FirstOrDefault()))
            {
                problems.Add($"{SectionName}:{nameof(PasswordFile)}: the first line of '{PasswordFile}' is empty.");
            }
        }

        if (problems.Count > before || !parsed)
        {
            return null;
        }

        var options = new BrokerOptions
        {
            ClientId = ClientId,
            Host = address.Host,
            Port = address.Port,
            UseTls = address.UseTls,
            AllowPlaintext = AllowPlaintext,
            CaFile = Full(CaFile),
            CrlFile = Full(CrlFile),
            ClientCertificateFile = Full(ClientCertificateFile),
            ClientKeyFile = Full(ClientKeyFile),
            Username = string.IsNullOrEmpty(Username) ? null : Username,
            Password = password,
        };
        problems.AddRange(options.Validate().Select(p => $"{SectionName}:{p.Key}: {p.Problem}"));
        return problems.Count > before ? null : options;
    }

    private static string? Full(string? path) => path is null ? null : Path.GetFullPath(path);
}
