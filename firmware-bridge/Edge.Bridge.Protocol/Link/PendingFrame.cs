namespace Edge.Bridge.Protocol;

/// <summary>A reliable message sent but not yet acknowledged.</summary>
internal sealed class PendingFrame
{
    public PendingFrame(Message message, ushort sequence, bool opensSession)
    {
        Message = message;
        Sequence = sequence;
        OpensSession = opensSession;
    }

    public Message Message { get; }

    public ushort Sequence { get; }

    public bool OpensSession { get; }

    /// <summary>When the last transmission's final byte left the line (airtime and queued frames included).</summary>
    public long LeftLineMs { get; set; }

    /// <summary>When the frame is sent again unless acknowledged.</summary>
    public long DeadlineMs { get; set; }

    public int Transmissions { get; set; }
}
