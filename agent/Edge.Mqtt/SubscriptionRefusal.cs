using MQTTnet;

namespace Edge.Mqtt;

/// <summary>A topic filter the broker would not subscribe us to, and its reason (an ACL says NotAuthorized).</summary>
/// <param name="TopicFilter">The refused filter.</param>
/// <param name="ResultCode">The broker's reason.</param>
public readonly record struct SubscriptionRefusal(string TopicFilter, MqttClientSubscribeResultCode ResultCode)
{
    /// <summary>The refusal as a sentence naming the filter.</summary>
    public override string ToString() => $"the broker refused the subscription to '{TopicFilter}': {ResultCode}";
}
