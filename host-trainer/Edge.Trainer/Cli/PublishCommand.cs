using System.CommandLine;
using System.Diagnostics;
using Edge.Domain.Messaging;
using Edge.Trainer.Live;

namespace Edge.Trainer.Cli;

/// <summary><c>publish</c>: offers a signed package (from <c>package</c>) to an agent and prints its verdict.</summary>
internal static class PublishCommand
{
    /// <summary>Exit code when the agent refused the package.</summary>
    public const int Refused = 4;

    public static Command Create()
    {
        var package = new Option<FileInfo>("--package") { Description =
            "Signed model package (.edgepkg) made by 'package'.", Required = true };
        var broker = new BrokerCliOptions();
        var deviceId = new Option<string>("--device-id") { Description = "Agent to offer the package to.",
            Required = true };
        var timeout = new Option<double>("--timeout")
        {
            Description = "Seconds to wait for the agent to be online and give its verdict (it validates on its "
                + "calibration set first).",
            DefaultValueFactory = _ => 120,
        };
        var command = new Command("publish",
            "Offer a signed model package to a live agent over MQTT and wait for its verdict.") { package, deviceId,
                timeout };
        broker.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var file = parse.GetValue(package)!;
            if (!file.Exists)
            {
                throw new ArgumentException($"--package '{file.FullName}' does not exist.");
            }

            if (file.Length > ModelOffer.MaxPackageBytes)
            {
                throw new
                    ArgumentException($"--package '{file.Name}' is {file.Length} bytes, above the "
                        + $"{ModelOffer.MaxPackageBytes} bytes an offer may carry.");
            }

            var seconds = parse.GetValue(timeout);
            if (!(seconds > 0))
            {
                throw new ArgumentException($"--timeout {seconds} must be a positive number of seconds.");
            }

            var bytes = await File.ReadAllBytesAsync(file.FullName, cancellationToken).ConfigureAwait(false);
            var options = broker.Resolve(parse, $"edge-trainer-publish-{Environment.ProcessId}");
            try
            {
                // The agent may still be starting: wait for its online status, then offer, within one deadline.
                var started = Stopwatch.GetTimestamp();
                var wait = TimeSpan.FromSeconds(seconds);
                await AgentOnlineWait.WaitOnlineAsync(options, parse.GetValue(deviceId)!, wait, cancellationToken)
                    .ConfigureAwait(false);
                var left = wait - Stopwatch.GetElapsedTime(started);
                var ack = await ModelPublisher.OfferAsync(
                    options, parse.GetValue(deviceId)!, bytes, left, cancellationToken).ConfigureAwait(false);
                Console.WriteLine($"{ack.DeviceId}: {(ack.Accepted ? "accepted" : "refused")} — {ack.Reason}");
                return ack.Accepted ? 0 : Refused;
            }
            catch (TimeoutException e)
            {
                await Console.Error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
                return 1;
            }
            catch (MQTTnet.Exceptions.MqttCommunicationException e)
            {
                await Console.Error.WriteLineAsync($"error: cannot reach the broker {options.Address}: {e.Message}")
                    .ConfigureAwait(false);
                return 1;
            }
        });
        return command;
    }
}
