using System.Buffers;
using Edge.Domain.Messaging;
using MQTTnet;
using MQTTnet.Protocol;

namespace Edge.Trainer.Live;

/// <summary>
/// Offers a signed model package to one agent over MQTT (<c>model/offer</c>, QoS 1) and waits for its verdict on
/// <c>model/ack</c>: the agent verifies the signature, validates the model on its calibration set and activates it
/// only if it is good enough, so the answer says whether the field now runs the new model and why (not). Signed
/// rollback instructions go the same way on <c>model/rollback</c>.
/// </summary>
public static class ModelPublisher
{
    /// <summary>
    /// Publishes <paramref name="package"/> to <paramref name="deviceId"/> and returns the agent's verdict.
    /// </summary>
    /// <exception cref="TimeoutException">No verdict within <paramref name="timeout"/> (agent offline, or no store
    /// configured there).</exception>
    public static Task<ModelAckMessage> OfferAsync(
        BrokerOptions broker,
        string deviceId,
        ReadOnlyMemory<byte> package,
        TimeSpan timeout,
        CancellationToken cancellationToken = default)
    {
        EdgeTopics.ValidateDeviceId(deviceId);
        var offer = new ModelOffer(Guid.NewGuid(), package);
        var what = $"model offer {offer.OfferId}";
        return SendAsync(
            broker, deviceId, TopicKind.ModelOffer, offer.Encode(), offer.OfferId, what, timeout, cancellationToken);
    }

    /// <summary>
    /// Sends a signed rollback instruction (made by <see cref="ModelRollbackSigning.Encode"/>) to the device it names
    /// and returns the agent's verdict; the ack echoes the instruction's nonce.
    /// </summary>
    /// <exception cref="TimeoutException">No verdict within <paramref name="timeout"/>.</exception>
    public static Task<ModelAckMessage> RollbackAsync(
        BrokerOptions broker,
        ModelRollbackInstruction instruction,
        byte[] payload,
        TimeSpan timeout,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(instruction);
        EdgeTopics.ValidateDeviceId(instruction.DeviceId);
        var (device, nonce) = (instruction.DeviceId, instruction.Nonce);
        var what = $"rollback instruction {nonce}";
        return SendAsync(broker, device, TopicKind.ModelRollback, payload, nonce, what, timeout, cancellationToken);
    }

    private static async Task<ModelAckMessage> SendAsync(
        BrokerOptions broker,
        string deviceId,
        TopicKind topic,
        byte[] payload,
        Guid id,
        string what,
        TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(broker);
        var verdict = new TaskCompletionSource<ModelAckMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        var ackTopic = EdgeTopics.For(deviceId, TopicKind.ModelAck);
        var foreign = 0;
        using var client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += e =>
        {
            try
            {
                var ack = ControlJson.Parse(e.ApplicationMessage.Payload.ToArray(),
                    MessagingJsonContext.Default.ModelAckMessage);
                // Believed only from the device the offer went to: its ack topic (which the broker ACL binds to its
                // identity) and the deviceId inside must both name it.
                if (e.ApplicationMessage.Topic != ackTopic || ack.DeviceId != deviceId)
                {
                    Interlocked.Increment(ref foreign);
                }
                else if (ack.OfferId == id)
                {
                    verdict.TrySetResult(ack);
                }
            }
            catch (MessageFormatException)
            {
                // Someone else's garbage on the ack topic is not our verdict.
            }

            return Task.CompletedTask;
        };

        // A client id of its own per offer: a reused id makes the next offer's connection a takeover of the last
        // one's session, which a broker may still be tearing down (MQTTnet's server then deletes the new session,
        // dotnet/MQTTnet#719) and which two offers to one device at once would fight over.
        var connection = broker with { ClientId = $"{broker.ClientId}-{id.ToString("N")[..8]}" };
        var options = connection.ToClientOptions(cleanStart: true, sessionExpirySeconds: 0);
        await client.ConnectAsync(options, cancellationToken).ConfigureAwait(false);
        try
        {
            await client.SubscribeAsync(
                new MqttClientSubscribeOptionsBuilder()
                    .WithTopicFilter(ackTopic, MqttQualityOfServiceLevel.AtLeastOnce)
                    .Build(),
                cancellationToken).ConfigureAwait(false);
            var published = await client.PublishAsync(
                new MqttApplicationMessageBuilder()
                    .WithTopic(EdgeTopics.For(deviceId, topic))
                    .WithPayload(payload)
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                    .Build(),
                cancellationToken).ConfigureAwait(false);
            if (!published.IsSuccess)
            {
                throw new InvalidOperationException(
                    $"The broker refused the {what} to '{deviceId}': {published.ReasonCode} "
                    + "(on the locked-down broker only the trainer identity may publish offers and rollbacks).");
            }

            try
            {
                return await verdict.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                throw new TimeoutException(
                    $"Agent '{deviceId}' gave no verdict on {what} within {timeout.TotalSeconds:0.#} s "
                    + $"(is it online, with Edge:Models configured?); {Volatile.Read(ref foreign)} acks naming another "
                    + "device were ignored.");
            }
        }
        finally
        {
            await client.DisconnectAsync(cancellationToken: CancellationToken.None).ConfigureAwait(false);
        }
    }
}
