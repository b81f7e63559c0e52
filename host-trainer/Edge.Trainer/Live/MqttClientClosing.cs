using MQTTnet;
using MQTTnet.Exceptions;

namespace Edge.Trainer.Live;

/// <summary>Closing a trainer-side MQTT client at shutdown, when the broker may already be gone.</summary>
internal static class MqttClientClosing
{
    /// <summary>Disconnects cleanly if still connected (a broker that went away is not an error here), then
    /// disposes.</summary>
    public static async Task DisconnectAndDisposeAsync(this IMqttClient client)
    {
        if (client.IsConnected)
        {
            try
            {
                await client.DisconnectAsync().ConfigureAwait(false);
            }
            catch (MqttCommunicationException)
            {
                // Gone already.
            }
        }

        client.Dispose();
    }
}
