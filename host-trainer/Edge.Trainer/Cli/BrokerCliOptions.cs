using System.CommandLine;
using Edge.Mqtt;
using Edge.Trainer.Live;
using Edge.Trainer.Service;

namespace Edge.Trainer.Cli;

/// <summary>
/// The broker options of <c>serve</c> and <c>publish</c>: URL, CA file, CRL, client certificate and key, user name
/// with a password file (never a password on the command line), and the lab switch for plaintext.
/// </summary>
internal sealed class BrokerCliOptions
{
    /// <summary>The default broker: the service listener of deploy/mosquitto on this machine.</summary>
    public const string DefaultBroker = "mqtts://localhost:8884";

    private readonly Option<string> _broker = new("--broker")
    {
        Description = "Broker as mqtts://host[:port] (TLS, default port 8883) "
            + "or mqtt://host[:port] (needs --allow-plaintext).",
        DefaultValueFactory = _ => DefaultBroker,
    };

    private readonly Option<FileInfo?> _caFile = new("--ca-file")
    {
        Description = "PEM CA the broker's certificate must chain to (only it is trusted); default: the system roots.",
    };

    private readonly Option<FileInfo?> _crlFile = new("--crl-file")
    {
        Description = "PEM CRL of that CA, checked offline.",
    };

    private readonly Option<FileInfo?> _clientCert = new("--client-cert")
    {
        Description = "PEM client certificate (mTLS); its CN is the trainer's identity on the broker (trainer).",
    };

    private readonly Option<FileInfo?> _clientKey = new("--client-key")
    {
        Description = "PEM private key of --client-cert.",
    };

    private readonly Option<string?> _username = new("--username")
    {
        Description = "User name for the broker.",
    };

    private readonly Option<FileInfo?> _passwordFile = new("--password-file")
    {
        Description = "File whose first line is the password of --username.",
    };

    private readonly Option<bool> _allowPlaintext = new("--allow-plaintext")
    {
        Description = "Permit mqtt:// (no TLS): everything travels in clear. Lab only.",
    };

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        Option[] options =
            [_broker, _caFile, _crlFile, _clientCert, _clientKey, _username, _passwordFile, _allowPlaintext];
        foreach (var option in options)
        {
            command.Options.Add(option);
        }
    }

    /// <summary>
    /// Adds the options to <paramref name="command"/>, each setting its <c>Edge:Mqtt</c> key (a service verb).
    /// </summary>
    public void AddTo(Command command, CommandLineSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        AddTo(command);
        const string Section = TrainerMqttOptions.SectionName;
        settings.Map(_broker, $"{Section}:{nameof(TrainerMqttOptions.Url)}");
        settings.Map(_caFile, $"{Section}:{nameof(TrainerMqttOptions.CaFile)}", isPath: true);
        settings.Map(_crlFile, $"{Section}:{nameof(TrainerMqttOptions.CrlFile)}", isPath: true);
        settings.Map(_clientCert, $"{Section}:{nameof(TrainerMqttOptions.ClientCertificateFile)}", isPath: true);
        settings.Map(_clientKey, $"{Section}:{nameof(TrainerMqttOptions.ClientKeyFile)}", isPath: true);
        settings.Map(_username, $"{Section}:{nameof(TrainerMqttOptions.Username)}");
        settings.Map(_passwordFile, $"{Section}:{nameof(TrainerMqttOptions.PasswordFile)}", isPath: true);
        settings.Map(_allowPlaintext, $"{Section}:{nameof(TrainerMqttOptions.AllowPlaintext)}");
    }

    /// <summary>
    /// The validated broker options for a connection with <paramref name="clientId"/>; throws
    /// <see cref="ArgumentException"/> naming the command-line option at fault.
    /// </summary>
    public BrokerOptions Resolve(ParseResult parse, string clientId)
    {
        ArgumentNullException.ThrowIfNull(parse);
        if (!MqttBrokerAddress.TryParse(parse.GetValue(_broker), out var address, out var problem))
        {
            throw new ArgumentException($"--broker {problem}");
        }

        var username = parse.GetValue(_username);
        var passwordFile = parse.GetValue(_passwordFile);
        if (passwordFile is not null && string.IsNullOrEmpty(username))
        {
            throw new ArgumentException("--password-file needs --username.");
        }

        var options = new BrokerOptions
        {
            ClientId = clientId,
            Host = address.Host,
            Port = address.Port,
            UseTls = address.UseTls,
            AllowPlaintext = parse.GetValue(_allowPlaintext),
            CaFile = parse.GetValue(_caFile)?.FullName,
            CrlFile = parse.GetValue(_crlFile)?.FullName,
            ClientCertificateFile = parse.GetValue(_clientCert)?.FullName,
            ClientKeyFile = parse.GetValue(_clientKey)?.FullName,
            Username = username,
            Password = passwordFile is null ? null : ReadPassword(passwordFile),
        };
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems.Select(p => $"{OptionName(p.Key)}: {p.Problem}")));
        }

        return options;
    }

    private static string ReadPassword(FileInfo file)
    {
        if (!file.Exists)
        {
            throw new ArgumentException($"--password-file '{file.FullName}' does not exist.");
        }

        using var reader = file.OpenText();
        var password = reader.ReadLine();
        return string.IsNullOrEmpty(password)
            ? throw new ArgumentException($"--password-file '{file.FullName}': the first line is empty.")
            : password;
    }

    private static string OptionName(string key) => key switch
    {
        "Url" => "--broker",
        nameof(MqttConnectionSettings.AllowPlaintext) => "--allow-plaintext",
        nameof(MqttConnectionSettings.CaFile) => "--ca-file",
        nameof(MqttConnectionSettings.CrlFile) => "--crl-file",
        nameof(MqttConnectionSettings.ClientCertificateFile) => "--client-cert",
        nameof(MqttConnectionSettings.ClientKeyFile) => "--client-key",
        nameof(MqttConnectionSettings.Username) => "--username",
        _ => "--" + key.ToLowerInvariant(),
    };
}
