using System.CommandLine;
using System.Diagnostics;
using Edge.Domain.Messaging;
using Edge.Domain.Models;
using Edge.Trainer.Live;

namespace Edge.Trainer.Cli;

/// <summary>
/// <c>rollback</c>: signs an instruction telling one agent to activate an installed earlier version, sends it on
/// <c>model/rollback</c> and prints the agent's verdict. The agent's floor stays: older packages still cannot be
/// offered.
/// </summary>
internal static class RollbackCommand
{
    public static Command Create()
    {
        var deviceId = new Option<string>("--device-id") { Description = "Agent to roll back.", Required = true };
        var to = new Option<int>("--to") { Description = "Installed model version to activate.", Required = true };
        var key = new Option<FileInfo>("--key")
        {
            Description = "Trainer's private signing key (PEM) the agent trusts.",
            Required = true,
        };
        var broker = new BrokerCliOptions();
        var timeout = new Option<double>("--timeout")
        {
            Description = "Seconds to wait for the agent to be online and give its verdict.",
            DefaultValueFactory = _ => 30,
        };
        var command = new Command(
            "rollback",
            "Send a signed rollback instruction to a live agent over MQTT and wait for its verdict.")
        {
            deviceId, to, key, timeout,
        };
        broker.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var device = parse.GetValue(deviceId)!;
            EdgeTopics.ValidateDeviceId(device);
            var version = parse.GetValue(to);
            if (version <= 0)
            {
                throw new ArgumentException($"--to {version} must be a positive model version.");
            }

            var seconds = parse.GetValue(timeout);
            if (!(seconds > 0))
            {
                throw new ArgumentException($"--timeout {seconds} must be a positive number of seconds.");
            }

            using var signingKey = PackageSigning.LoadPrivateKey(parse.GetValue(key)!.FullName);
            var instruction = new ModelRollbackInstruction
            {
                DeviceId = device,
                ToVersion = version,
                IssuedAt = DateTimeOffset.UtcNow,
                Nonce = Guid.NewGuid(),
                KeyId = PackageSigning.KeyId(signingKey),
            };
            var payload = ModelRollbackSigning.Encode(instruction, signingKey);
            var clientId = $"edge-trainer-rollback-{Environment.ProcessId}";
            var options = broker.Resolve(parse, clientId);
            try
            {
                var started = Stopwatch.GetTimestamp();
                var wait = TimeSpan.FromSeconds(seconds);
                await AgentOnlineWait.WaitOnlineAsync(options, device, wait, cancellationToken).ConfigureAwait(false);
                var left = wait - Stopwatch.GetElapsedTime(started);
                var ack = await ModelPublisher.RollbackAsync(options, instruction, payload, left, cancellationToken)
                    .ConfigureAwait(false);
                Console.WriteLine($"{ack.DeviceId}: {(ack.Accepted ? "accepted" : "refused")} — {ack.Reason}");
                return ack.Accepted ? 0 : PublishCommand.Refused;
            }
            catch (TimeoutException e)
            {
                await Console.Error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
                return 1;
            }
            catch (MQTTnet.Exceptions.MqttCommunicationException e)
            {
                var problem = $"error: cannot reach the broker {options.Address}: {e.Message}";
                await Console.Error.WriteLineAsync(problem).ConfigureAwait(false);
                return 1;
            }
        });
        return command;
    }
}
