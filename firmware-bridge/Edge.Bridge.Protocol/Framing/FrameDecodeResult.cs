namespace Edge.Bridge.Protocol;

/// <summary>Outcome of decoding untrusted bytes: a frame, or the error and a description naming the problem.</summary>
public sealed class FrameDecodeResult
{
    private FrameDecodeResult(Frame? frame, ProtocolError error, string description)
    {
        Frame = frame;
        Error = error;
        Description = description;
    }

    /// <summary>The frame, when <see cref="Error"/> is <see cref="ProtocolError.None"/>.</summary>
    public Frame? Frame { get; }

    /// <summary>What went wrong, or <see cref="ProtocolError.None"/>.</summary>
    public ProtocolError Error { get; }

    /// <summary>Human-readable description of the problem (empty on success).</summary>
    public string Description { get; }

    /// <summary>Whether a frame was decoded.</summary>
    public bool IsSuccess => Error == ProtocolError.None;

    /// <summary>A successful result.</summary>
    /// <param name="frame">The decoded frame.</param>
    /// <returns>The result.</returns>
    public static FrameDecodeResult Success(Frame frame) => new(frame, ProtocolError.None, string.Empty);

    /// <summary>A failed result.</summary>
    /// <param name="error">The error category.</param>
    /// <param name="description">What exactly is wrong.</param>
    /// <returns>The result.</returns>
    public static FrameDecodeResult Failure(ProtocolError error, string description) => new(null, error, description);
}
