using Edge.Bridge.Protocol;

namespace Edge.Bridge.Tests;

/// <summary>A link plus what its listener saw and an outbox for messages waiting for window space.</summary>
public sealed class LinkEndpoint : ILinkListener
{
    private readonly Queue<Message> outbox = new();

    public LinkEndpoint(LossyChannel output, LinkOptions options)
    {
        Output = output;
        Link = new ReliableLink(output, this, options);
    }

    public LossyChannel Output { get; }

    public ReliableLink Link { get; }

    public List<Message> Received { get; } = [];

    public List<string> Failures { get; } = [];

    public Action<LinkEndpoint, Message>? OnReliableMessage { get; set; }

    public bool Idle => outbox.Count == 0 && Link.InFlight == 0;

    public void Enqueue(Message message) => outbox.Enqueue(message);

    /// <summary>Runs the link's timers and moves queued messages into the window.</summary>
    public void Step(long nowMs)
    {
        Output.NowMs = nowMs;
        Link.Poll(nowMs);
        while (outbox.Count > 0 && Link.CanSend)
        {
            Assert.True(Link.TrySend(outbox.Peek(), nowMs));
            outbox.Dequeue();
        }
    }

    public void OnMessage(Message message)
    {
        if (message.Type == MessageType.Heartbeat)
        {
            return;
        }

        Received.Add(message);
        OnReliableMessage?.Invoke(this, message);
    }

    public void OnLinkFailed(string reason) => Failures.Add(reason);
}
