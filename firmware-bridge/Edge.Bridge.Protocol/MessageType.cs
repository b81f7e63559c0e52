namespace Edge.Bridge.Protocol;

/// <summary>The message type byte of a frame.</summary>
public enum MessageType
{
    /// <summary>Host opens a session: version range, receive limit, capabilities.</summary>
    Hello = 0x01,

    /// <summary>Device answers Hello: selected version and hardware capabilities.</summary>
    HelloAck = 0x02,

    /// <summary>Play a drive waveform and capture the response.</summary>
    PlayAndCapture = 0x03,

    /// <summary>Captured ADC codes, binned or raw, possibly split over several frames.</summary>
    CaptureResult = 0x04,

    /// <summary>Acknowledges every reliable frame before the frame's ack number.</summary>
    Ack = 0x05,

    /// <summary>Rejects a frame or reports a gap, with a reason code.</summary>
    Nack = 0x06,

    /// <summary>Keep-alive with the sender's uptime.</summary>
    Heartbeat = 0x07,

    /// <summary>Drive a DAC channel to a safe code.</summary>
    SetSafe = 0x08,

    /// <summary>An application-level failure (bad request, hardware fault).</summary>
    Error = 0x09,
}
