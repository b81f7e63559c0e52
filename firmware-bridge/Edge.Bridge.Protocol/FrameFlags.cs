namespace Edge.Bridge.Protocol;

/// <summary>Bits of the frame flags byte.</summary>
[System.Flags]
public enum FrameFlags
{
    /// <summary>No flag set.</summary>
    None = 0,

    /// <summary>The ack number field is meaningful (the sender has a receive session).</summary>
    AckValid = 0x01,

    /// <summary>This reliable frame opens a new session: its sequence is the sender's initial sequence.</summary>
    Sync = 0x02,
}
