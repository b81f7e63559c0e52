using System.CommandLine;
using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using Edge.Agent.Configuration;
using Edge.Agent.Hosting;
using Edge.Agent.Messaging;
using Edge.Domain.Data;
using Edge.Mqtt;
using Edge.Trainer.Cli;
using Edge.Trainer.Live;

namespace Edge.Integration.Tests;

/// <summary>
/// Plaintext is refused unless a lab says so, TLS files are checked at start, each problem names its key or option,
/// and the offline CRL of make-certs.sh is read, verified and honoured.
/// </summary>
public sealed class ConnectionSettingsTests
{
    [Fact]
    [Trait("Category", "Security")]
    public void The_agent_refuses_a_plaintext_broker_unless_allow_plaintext_is_set()
    {
        var error = Assert.Throws<AgentConfigurationException>(
            () => ValidateAgent(new() { ["Edge:Mqtt:Url"] = "mqtt://broker.lan:1883" }));
        Assert.Contains("Edge:Mqtt:Url", error.Message, StringComparison.Ordinal);
        Assert.Contains("plaintext", error.Message, StringComparison.Ordinal);

        ValidateAgent(new() { ["Edge:Mqtt:Url"] = "mqtt://broker.lan:1883", ["Edge:Mqtt:AllowPlaintext"] = "true" });
        SecurityReport.Record(
            "plaintext-agent",
            "Agent configured with a plaintext broker URL (mqtt://) and no lab opt-in",
            Repeat(nameof(The_agent_refuses_a_plaintext_broker_unless_allow_plaintext_is_set)),
            "refused at start naming Edge:Mqtt:Url; allowed only with Edge:Mqtt:AllowPlaintext=true",
            error.Message.ReplaceLineEndings(" "),
            error.Message.Contains("plaintext", StringComparison.Ordinal));
    }

    [Fact]
    public void The_agents_tls_files_are_checked_at_start_each_named_by_its_key()
    {
        var error = Assert.Throws<AgentConfigurationException>(() => ValidateAgent(new()
        {
            ["Edge:Mqtt:Url"] = "mqtts://broker.lan",
            ["Edge:Mqtt:CaFile"] = "/nonexistent/ca.crt",
            ["Edge:Mqtt:ClientCertificateFile"] = "/nonexistent/dev.crt",
            ["Edge:Mqtt:Password"] = "secret",
        }));

        foreach (var key in new[] { "Edge:Mqtt:CaFile", "Edge:Mqtt:ClientKeyFile", "Edge:Mqtt:Username" })
        {
            Assert.Contains(key, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_agents_former_host_and_port_keys_are_refused_pointing_to_url()
    {
        var error = Assert.Throws<AgentConfigurationException>(
            () => ValidateAgent(new() { ["Edge:Mqtt:Host"] = "broker.lan", ["Edge:Mqtt:Port"] = "8883" }));

        Assert.Contains("Edge:Mqtt:Host", error.Message, StringComparison.Ordinal);
        Assert.Contains("replaced by Url", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Category", "Security")]
    public void The_trainer_refuses_plaintext_unless_allow_plaintext_is_given()
    {
        var options = new BrokerOptions { Host = "127.0.0.1", Port = 1883, UseTls = false };
        var error = Assert.Throws<MqttConnectionSettingsException>(
            () => options.ToClientOptions(cleanStart: true, sessionExpirySeconds: 0));
        Assert.Contains("plaintext", error.Message, StringComparison.Ordinal);

        var cli = Assert.Throws<ArgumentException>(() => ResolveCli("--broker", "mqtt://127.0.0.1:1883"));
        Assert.Contains("--broker", cli.Message, StringComparison.Ordinal);
        Assert.Contains("--allow-plaintext", cli.Message, StringComparison.Ordinal);
        Assert.False(ResolveCli("--broker", "mqtt://127.0.0.1:1883", "--allow-plaintext").UseTls);
        SecurityReport.Record(
            "plaintext-trainer",
            "edge-trainer --broker mqtt://… without --allow-plaintext",
            Repeat(nameof(The_trainer_refuses_plaintext_unless_allow_plaintext_is_given)),
            "refused naming --broker and --allow-plaintext",
            cli.Message.ReplaceLineEndings(" "),
            cli.Message.Contains("--allow-plaintext", StringComparison.Ordinal));
    }

    [Fact]
    public void The_trainer_reads_its_password_from_a_file_and_names_bad_options()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.Path("password"), "s3cret\n");

        var password = folder.Path("password");
        var options = ResolveCli(
            "--broker", "mqtts://mq.lan:8884", "--username", "trainer", "--password-file", password);

        Assert.Equal(
            ("trainer", "s3cret", 8884, true), (options.Username, options.Password, options.Port, options.UseTls));
        Assert.Contains(
            "--password-file needs --username", CliError("--password-file", password), StringComparison.Ordinal);
        Assert.Contains("--ca-file", CliError("--ca-file", folder.Path("missing.crt")), StringComparison.Ordinal);
        Assert.Contains("--client-key", CliError("--client-cert", password), StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Category", "Security")]
    public async Task The_offline_crl_is_verified_and_lists_exactly_the_revoked_certificates()
    {
        MosquittoBroker.RequireInstalled();
        using var folder = new TempFolder();
        var certs = folder.Path("certs");
        await MakeCertsAsync("--dir", certs, "dev-a", "dev-b");
        await MakeCertsAsync("--dir", certs, "revoke", "dev-a");
        var roots = new X509Certificate2Collection();
        roots.ImportFromPemFile(Path.Combine(certs, "ca.crt"));

        var crl = CertificateRevocationList.Load(Path.Combine(certs, "ca.crl"), roots);
        using var revoked = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(certs, "devices/dev-a.crt")));
        using var valid = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(certs, "devices/dev-b.crt")));

        Assert.Equal(1, crl.Count);
        Assert.True(crl.IsRevoked(revoked));
        Assert.False(crl.IsRevoked(valid));

        // A CRL signed by another CA (the service CA) is not accepted for this one.
        var foreignCrl = new MqttConnectionSettings
        {
            CaFile = Path.Combine(certs, "ca.crt"),
            CrlFile = Path.Combine(certs, "service-ca.crl"),
        };
        var problems = foreignCrl.Validate();
        Assert.Equal(nameof(MqttConnectionSettings.CrlFile), Assert.Single(problems).Key);
        SecurityReport.Record(
            "tls-offline-crl",
            "Private CA with an offline CRL file: a revoked certificate, and a CRL signed by another CA",
            Repeat(nameof(The_offline_crl_is_verified_and_lists_exactly_the_revoked_certificates)),
            "revoked certificate detected without network access; a foreign CRL refused naming CrlFile",
            $"CRL lists {crl.Count}; revoked detected: {crl.IsRevoked(revoked)}; "
                + $"valid passes: {!crl.IsRevoked(valid)}; "
                + $"foreign CRL refused: {problems[0].Key}",
            crl.IsRevoked(revoked) && !crl.IsRevoked(valid) && problems.Count == 1);
    }

    private static string Repeat(string test) => SecurityReport.TestCommand("Edge.Integration.Tests", test);

    private static void ValidateAgent(Dictionary<string, string?> mqtt)
    {
        mqtt["Edge:Device:DeviceId"] = "opts";
        mqtt["Edge:Mqtt:Enabled"] = "true";
        var builder = AgentHost.CreateBuilder(new AgentSettingsSources(null, new Dictionary<string, string?>()), mqtt);
        builder.AddEdgeMqtt();
        using var host = builder.Build();
        AgentHost.ValidateConfiguration(host);
    }

    private static string CliError(params string[] arguments) =>
        Assert.Throws<ArgumentException>(() => ResolveCli(arguments)).Message;

    private static BrokerOptions ResolveCli(params string[] arguments)
    {
        var options = new BrokerCliOptions();
        var command = new Command("probe");
        options.AddTo(command);
        return options.Resolve(command.Parse(arguments), "probe");
    }

    private static async Task MakeCertsAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(Path.Combine(DataPaths.FindRepositoryRoot()!, "deploy", "mosquitto", "make-certs.sh"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(process.ExitCode == 0, await error);
    }
}
