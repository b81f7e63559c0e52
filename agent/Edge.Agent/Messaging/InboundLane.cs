namespace Edge.Agent.Messaging;

/// <summary>The lanes inbound messages are served in; each has its own bound and its own worker.</summary>
public enum InboundLane
{
    /// <summary>Inference requests: never queued behind the other lanes.</summary>
    Inference,

    /// <summary>PAT requests, queued per requester and served round robin.</summary>
    Pat,

    /// <summary>Model offers.</summary>
    Offer,

    /// <summary>Every other control message (unexpected topics today; a rollback instruction later).</summary>
    Control,
}
