using System.Buffers;
using System.CommandLine;
using System.Globalization;
using Edge.Domain.Messaging;
using Edge.Mqtt;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Edge.Agent.Commands;

/// <summary>
/// <c>edge-agent environment</c>: sets a running simulated part's environment through the broker, as the operator
/// identity (the <c>control/environment</c> message; only <c>operator</c> and <c>trainer</c> may send it), and prints
/// the agent's answer. Options left out take their calibrated values: the message is a whole environment.
/// </summary>
internal static class EnvironmentCommand
{
    public static Command Create(AgentCommandLine commandLine)
    {
        var url = new Option<string>("--broker")
        {
            Description = "The broker's service listener, mqtts://host:port.",
            Required = true,
        };
        var caFile = new Option<string?>("--ca-file")
        {
            Description = "CA certificate (PEM) the broker's certificate is checked against.",
        };
        var crlFile = new Option<string?>("--crl-file") { Description = "Revocation list (PEM) of that CA." };
        var certificate = new Option<string?>("--client-cert") { Description = "The operator's certificate (PEM)." };
        var key = new Option<string?>("--client-key") { Description = "The operator's private key (PEM)." };
        var identity = new Option<string>("--identity")
        {
            Description = "The certificate's identity: answers come to "
                + "edge/v1/_requesters/<identity>/environment/response.",
            DefaultValueFactory = _ => "operator",
        };
        var ambient = new Option<double>("--ambient-kelvin")
        {
            Description = "Ambient temperature relative to calibration, in kelvin.",
        };
        var ageing = new Option<double>("--ageing")
        {
            Description = "Component ageing as a relative spread (0.02: 2 %).",
        };
        var gain = new Option<double?>("--gain") { Description = "Readout gain relative to calibration (default 1)." };
        var settling = new Option<double?>("--settling-gap-seconds")
        {
            Description = "Idle time between drives, replacing the part's own.",
        };
        var part = new Option<string?>("--part-id")
        {
            Description = "Another part soldered in under the same device id.",
        };
        var timeout = new Option<double>("--timeout")
        {
            Description = "Seconds to wait for the agent's answer.",
            DefaultValueFactory = _ => 10,
        };
        var command = new Command(
            "environment",
            "Set a running simulated part's environment over MQTT as the operator (a drift caused on purpose); "
            + "the part is --device-id (or Edge:Device:DeviceId). No value options: back to calibration.")
        {
            url, caFile, crlFile, certificate, key, identity, ambient, ageing, gain, settling, part, timeout,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var error = parse.InvocationConfiguration.Error;
            if (!MqttBrokerAddress.TryParse(parse.GetValue(url), out var address, out var problem))
            {
                await error.WriteLineAsync($"--broker {problem}").ConfigureAwait(false);
                return ExitCodes.InvalidInput;
            }

            var deviceId = commandLine.ConfiguredDeviceId(parse);
            if (!EdgeTopics.IsValidDeviceId(deviceId) || !EdgeTopics.IsValidDeviceId(parse.GetValue(identity)))
            {
                await error.WriteLineAsync("--device-id and --identity must be usable MQTT topic levels (letters, "
                    + "digits, "
                    + $"'-', '_', '.'); got '{deviceId}' and '{parse.GetValue(identity)}'.").ConfigureAwait(false);
                return ExitCodes.InvalidInput;
            }

            var settings = new MqttConnectionSettings
            {
                CaFile = parse.GetValue(caFile),
                CrlFile = parse.GetValue(crlFile),
                ClientCertificateFile = parse.GetValue(certificate),
                ClientKeyFile = parse.GetValue(key),
                AllowPlaintext = !address.UseTls,
            }.WithAddress(address);
            var message = new EnvironmentMessage
            {
                AmbientKelvin = parse.GetValue(ambient),
                Ageing = parse.GetValue(ageing),
                Gain = parse.GetValue(gain),
                SettlingGapSeconds = parse.GetValue(settling),
                PartId = parse.GetValue(part),
            };
            var wait = TimeSpan.FromSeconds(parse.GetValue(timeout));
            var request = new Request(deviceId!, parse.GetValue(identity)!, wait);
            return await SendAsync(settings, request, message, parse.InvocationConfiguration, cancellationToken)
                .ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> SendAsync(
        MqttConnectionSettings settings,
        Request request,
        EnvironmentMessage message,
        InvocationConfiguration console,
        CancellationToken cancellationToken)
    {
        var responseTopic = EdgeTopics.EnvironmentResponse(request.Identity);
        var correlation = Guid.NewGuid().ToByteArray();
        var answer = new TaskCompletionSource<EnvironmentReplyMessage>(
            TaskCreationOptions.RunContinuationsAsynchronously);
        using var client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += e =>
        {
            var received = e.ApplicationMessage;
            if (received.CorrelationData is { } data && data.AsSpan().SequenceEqual(correlation))
            {
                try
                {
                    answer.TrySetResult(ControlJson.Parse(
                        received.Payload.ToArray(), MessagingJsonContext.Default.EnvironmentReplyMessage));
                }
                catch (MessageFormatException ex)
                {
                    answer.TrySetException(ex);
                }
            }

            return Task.CompletedTask;
        };

        try
        {
            var options = settings.ApplyTo(new MqttClientOptionsBuilder()
                .WithProtocolVersion(MqttProtocolVersion.V500)
                .WithClientId($"{request.Identity}-environment-{Guid.NewGuid():N}")
                .WithTimeout(request.Timeout)).Build();
            await client.ConnectAsync(options, cancellationToken).ConfigureAwait(false);
            await client.SubscribeAsync(responseTopic, MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken)
                .ConfigureAwait(false);
            var published = await client.PublishAsync(
                new MqttApplicationMessageBuilder()
                    .WithTopic(EdgeTopics.For(request.DeviceId, TopicKind.Environment))
                    .WithPayload(ControlJson.Serialize(message, MessagingJsonContext.Default.EnvironmentMessage))
                    .WithResponseTopic(responseTopic)
                    .WithCorrelationData(correlation)
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                    .Build(),
                cancellationToken).ConfigureAwait(false);
            if (published.ReasonCode == MqttClientPublishReasonCode.NotAuthorized)
            {
                await console.Error.WriteLineAsync("The broker refused the message: not authorized (only the operator "
                    + "and trainer identities may set a part's environment; see deploy/mosquitto/README.md).")
                    .ConfigureAwait(false);
                return ExitCodes.Refused;
            }

            var reply = await answer.Task.WaitAsync(request.Timeout, cancellationToken).ConfigureAwait(false);
            if (!reply.Applied)
            {
                await console.Error.WriteLineAsync($"{reply.DeviceId} refused: {reply.Problem}").ConfigureAwait(false);
                return ExitCodes.Refused;
            }

            await console.Output.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture, $"{reply.DeviceId}: environment now {reply.Environment}"))
                .ConfigureAwait(false);
            return ExitCodes.Success;
        }
        catch (MqttConnectionSettingsException e)
        {
            await console.Error.WriteLineAsync(e.Message).ConfigureAwait(false);
            return ExitCodes.InvalidInput;
        }
        catch (TimeoutException)
        {
            await console.Error.WriteLineAsync(
                $"No answer from {request.DeviceId} within {request.Timeout.TotalSeconds:F0} s "
                + "(is its agent running and connected?).").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        catch (MessageFormatException e)
        {
            await console.Error.WriteLineAsync($"The agent's answer was malformed: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        catch (MQTTnet.Exceptions.MqttCommunicationException e)
        {
            await console.Error.WriteLineAsync($"Cannot reach the broker at {settings.Address}: {e.Message}")
                .ConfigureAwait(false);
            return ExitCodes.Failure;
        }
    }

    private sealed record Request(string DeviceId, string Identity, TimeSpan Timeout);
}
