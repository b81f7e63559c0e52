namespace Edge.Devices.Bridge;

/// <summary>An open duplex line to the bridge and what must be disposed with it (the port or socket).</summary>
/// <param name="Stream">The byte stream.</param>
/// <param name="Owner">Disposed after the stream; null when the stream owns everything.</param>
/// <param name="Description">Where it leads, for logs: a port name or host:port.</param>
public sealed record BridgeConnection(Stream Stream, IDisposable? Owner, string Description);
