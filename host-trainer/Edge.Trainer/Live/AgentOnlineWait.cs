using System.Buffers;
using Edge.Domain.Messaging;
using MQTTnet;
using MQTTnet.Protocol;

namespace Edge.Trainer.Live;

/// <summary>
/// Waits for an agent's retained <c>online</c> status before a command sends it something. An offer or rollback is
/// delivered only to a connected agent's subscription (the agent starts a clean session), so one published while the
/// agent is still starting — the README's flow starts both at once — would be lost and its verdict never come.
/// </summary>
internal static class AgentOnlineWait
{
    /// <summary>Returns once <paramref name="deviceId"/>'s status says <c>online</c>.</summary>
    /// <exception cref="TimeoutException">
    /// No <c>online</c> status within <paramref name="timeout"/>; the message names the topic.
    /// </exception>
    public static async Task WaitOnlineAsync(
        BrokerOptions broker, string deviceId, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(broker);
        EdgeTopics.ValidateDeviceId(deviceId);
        var statusTopic = EdgeTopics.For(deviceId, TopicKind.Status);
        var online = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += e =>
        {
            try
            {
                var status = ControlJson.Parse(
                    e.ApplicationMessage.Payload.ToArray(), MessagingJsonContext.Default.StatusMessage);
                if (e.ApplicationMessage.Topic == statusTopic && status.DeviceId == deviceId
                    && status.State == StatusMessage.Online)
                {
                    online.TrySetResult();
                }
            }
            catch (MessageFormatException)
            {
                // A malformed status is not a sign of life.
            }

            return Task.CompletedTask;
        };

        var options = broker.ToClientOptions(cleanStart: true, sessionExpirySeconds: 0);
        options.ClientId += "-presence";
        await client.ConnectAsync(options, cancellationToken).ConfigureAwait(false);
        try
        {
            await client.SubscribeAsync(
                new MqttClientSubscribeOptionsBuilder()
                    .WithTopicFilter(statusTopic, MqttQualityOfServiceLevel.AtLeastOnce)
                    .Build(),
                cancellationToken).ConfigureAwait(false);
            try
            {
                await online.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                throw new TimeoutException(
                    $"Agent '{deviceId}' did not report 'online' on {statusTopic} within {timeout.TotalSeconds:0.#} s; "
                    + "is it running, with Edge:Mqtt:Enabled, and connected to this broker?");
            }
        }
        finally
        {
            await client.DisconnectAsync(cancellationToken: CancellationToken.None).ConfigureAwait(false);
        }
    }
}
