using Edge.Agent.Hosting;
using Edge.Domain.Messaging;
using Edge.Domain.Simulation;

namespace Edge.Agent.Messaging;

/// <summary>Environment control messages: a simulated part's environment set by an operator or the trainer.</summary>
public sealed partial class AgentMessageHandler
{
    /// <summary>Sets the hosted part's environment; null: environment messages are refused.</summary>
    public PartEnvironmentControl? EnvironmentControl { get; init; }

    private void HandleEnvironment(InboundMessage message)
    {
        string? problem;
        try
        {
            var request = ControlJson.Parse(message.Payload.Span, MessagingJsonContext.Default.EnvironmentMessage);
            var environment = new PartEnvironment
            {
                AmbientKelvin = request.AmbientKelvin,
                Ageing = request.Ageing,
                Gain = request.Gain ?? 1,
                SettlingGapSeconds = request.SettlingGapSeconds,
                PartId = request.PartId,
            };
            problem = EnvironmentControl is null
                ? "this agent takes no environment changes (it hosts no part the control reaches)."
                : EnvironmentControl.TryApply(environment, $"MQTT message on {message.Topic}");
        }
        catch (MessageFormatException e)
        {
            problem = e.Message;
        }

        if (problem is not null)
        {
            Reject(message, nameof(TopicKind.Environment), problem);
        }

        if (HasUsableResponseTopic(message))
        {
            var reply = new EnvironmentReplyMessage
            {
                DeviceId = _device.DeviceId,
                Applied = problem is null,
                Problem = problem,
                Environment = (EnvironmentControl?.Current ?? PartEnvironment.Calibrated).ToString(),
                Timestamp = DateTimeOffset.UtcNow,
            };
            var json = ControlJson.Serialize(reply, MessagingJsonContext.Default.EnvironmentReplyMessage);
            Reply(message, json, "application/json");
        }
    }
}
