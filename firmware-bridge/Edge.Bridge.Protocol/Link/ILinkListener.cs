namespace Edge.Bridge.Protocol;

/// <summary>Receives what a <see cref="ReliableLink"/> delivers.</summary>
public interface ILinkListener
{
    /// <summary>A reliable message arrived (exactly once, in order), or a heartbeat arrived.</summary>
    /// <param name="message">The message.</param>
    void OnMessage(Message message);

    /// <summary>The link gave up (retry limit reached, or the peer rejected a frame for good). Called once.</summary>
    /// <param name="reason">What failed, with sequence numbers and counts.</param>
    void OnLinkFailed(string reason);
}
