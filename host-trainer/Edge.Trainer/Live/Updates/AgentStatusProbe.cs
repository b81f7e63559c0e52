using System.Buffers;
using Edge.Domain.Messaging;
using MQTTnet;
using MQTTnet.Protocol;

namespace Edge.Trainer.Live.Updates;

/// <summary>
/// Reads an agent's retained <c>status</c> (online or offline, and the model version it runs) without sending it
/// anything: the drift watch asks before it acts, so it never sends PAT requests to an agent that is offline and
/// always knows which version the agent really runs.
/// </summary>
public static class AgentStatusProbe
{
    /// <summary>
    /// The retained status of <paramref name="deviceId"/>, or null when none arrives within <paramref name="timeout"/>.
    /// A status whose payload names another device is not believed (counted as an identity mismatch).
    /// </summary>
    /// <exception cref="MQTTnet.Exceptions.MqttCommunicationException">The broker cannot be reached.</exception>
    public static async Task<StatusMessage?> ReadAsync(
        BrokerOptions broker,
        string deviceId,
        TimeSpan timeout,
        TrainerMetrics? metrics = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(broker);
        EdgeTopics.ValidateDeviceId(deviceId);
        var topic = EdgeTopics.For(deviceId, TopicKind.Status);
        var status = new TaskCompletionSource<StatusMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += e =>
        {
            try
            {
                var payload = e.ApplicationMessage.Payload.ToArray();
                var parsed = ControlJson.Parse(payload, MessagingJsonContext.Default.StatusMessage);
                if (e.ApplicationMessage.Topic != topic || parsed.DeviceId != deviceId)
                {
                    metrics?.IdentityMismatches.WithLabels("status").Inc();
                }
                else
                {
                    status.TrySetResult(parsed);
                }
            }
            catch (MessageFormatException)
            {
                // An unreadable status says nothing about the agent; wait for a good one or time out.
            }

            return Task.CompletedTask;
        };

        var options = broker.ToClientOptions(cleanStart: true, sessionExpirySeconds: 0);
        await client.ConnectAsync(options, cancellationToken).ConfigureAwait(false);
        try
        {
            await client.SubscribeAsync(
                new MqttClientSubscribeOptionsBuilder()
                    .WithTopicFilter(topic, MqttQualityOfServiceLevel.AtLeastOnce)
                    .Build(),
                cancellationToken).ConfigureAwait(false);
            try
            {
                return await status.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return null;
            }
        }
        finally
        {
            await client.DisconnectAsync(cancellationToken: CancellationToken.None).ConfigureAwait(false);
        }
    }
}
