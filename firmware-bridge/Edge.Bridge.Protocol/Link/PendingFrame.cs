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

    public long LastSentMs { get; set; }

    public int Transmissions { get; set; }
}
