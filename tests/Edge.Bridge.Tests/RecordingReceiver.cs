using Edge.Bridge.Protocol;

namespace Edge.Bridge.Tests;

/// <summary>Collects what a stream decoder reports.</summary>
public sealed class RecordingReceiver : IFrameReceiver
{
    public List<Frame> Frames { get; } = [];

    public List<(ProtocolError Error, string Description)> Errors { get; } = [];

    public void OnFrame(Frame frame) => Frames.Add(frame);

    public void OnBadFrame(ProtocolError error, string description) => Errors.Add((error, description));
}
