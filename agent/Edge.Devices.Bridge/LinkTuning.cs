namespace Edge.Devices.Bridge;

/// <summary>
/// Tunes the bridge link to the line it finds: estimates the loss per byte from what the link observes (frames
/// retransmitted, frames received corrupt, against the bytes on the line) and from it sizes requests and the retry
/// budget. A frame of n bytes and its ack arrive intact with probability (1 − p)^(n + ack); goodput n (1 − p)^n
/// peaks near n = 1 / p, and a loss costs a timeout too, so requests are capped at 1 / (2 p), within
/// [<see cref="MinRequestBytes"/>, the negotiated payload]. The retry limit is raised until a frame fails its budget
/// less than once in a million frames, never above <see cref="BridgeDeviceOptions.MaxRetryLimit"/> and never below
/// <see cref="BridgeDeviceOptions.RetryLimit"/>; where most frames need repeating, the timer's backoff is capped at
/// 4 × the minimum timeout. Kept by the device across its sessions: a line stays as lossy after a reconnection as it
/// was before it.
/// </summary>
internal sealed class LinkTuning(BridgeDeviceOptions options)
{
    /// <summary>Smallest request payload the tuning shrinks to: a header and a few drive segments.</summary>
    public const int MinRequestBytes = 128;

    /// <summary>
    /// The prior: a fresh link counts as if it had seen one loss in this many bytes (1 %), so its first requests are
    /// small and they grow as clean bytes pass (after ≈ 2 KB without loss they reach 1 KB).
    /// </summary>
    private const double PriorBytes = 100;

    /// <summary>Observations are halved beyond this many bytes, so the estimate follows a line that changes.</summary>
    private const double MemoryBytes = 256 * 1024;

    /// <summary>Framing, header and CRC around a payload, and the size of the ack that answers it, in line bytes.
    /// </summary>
    private const int FrameOverheadBytes = 24;

    private const double AcceptedFrameFailure = 1e-6;

    private readonly Lock _gate = new();
    private double _bytes;
    private double _losses;

    /// <summary>
    /// Estimated probability that a byte on the line is lost or corrupted: the loss events seen, doubled (see
    /// <see cref="ObservedLossPerByte"/>), with the prior.
    /// </summary>
    public double LossPerByte
    {
        get
        {
            lock (_gate)
            {
                return Math.Min(0.5, ((2 * _losses) + 1) / (_bytes + PriorBytes));
            }
        }
    }

    /// <summary>Adds what the link saw since the last call: bytes on the line and loss events.</summary>
    /// <param name="lineBytes">Bytes sent and received.</param>
    /// <param name="lossEvents">Retransmissions plus frames received corrupt.</param>
    public void Observe(long lineBytes, long lossEvents)
    {
        lock (_gate)
        {
            _bytes += Math.Max(0, lineBytes);
            _losses += Math.Max(0, lossEvents);
            if (_bytes > MemoryBytes)
            {
                _bytes /= 2;
                _losses /= 2;
            }
        }
    }

    /// <summary>The payload a request should stay within on this line.</summary>
    /// <param name="negotiated">The payload limit agreed in Hello.</param>
    public int RequestPayload(int negotiated)
    {
        // Half the goodput optimum: a frame lost costs a retransmission timeout, not only its airtime.
        var best = 0.5 / LossPerByte;
        return (int)Math.Clamp(best, Math.Min(MinRequestBytes, negotiated), negotiated);
    }

    /// <summary>
    /// The retry limit for frames of up to <paramref name="payload"/> bytes on this line: from the losses actually
    /// seen (not the prior), so a clean line keeps the configured limit and a hung bridge is noticed as soon as before.
    /// </summary>
    public int RetryLimit(int payload)
    {
        var arrives = Arrives(payload, ObservedLossPerByte);
        var needed = arrives >= 1 ? 0 : Math.Ceiling(Math.Log(AcceptedFrameFailure) / Math.Log(1 - arrives));
        return (int)Math.Clamp(needed, options.RetryLimit, Math.Max(options.RetryLimit, options.MaxRetryLimit));
    }

    /// <summary>
    /// The cap of the retransmission timer's backoff for frames of up to <paramref name="payload"/> bytes: where most
    /// of them need repeating, losses are random, not congestion, and doubling the timer only slows the repair; so
    /// it stays within 4 × <paramref name="minimumMs"/> there (never above <paramref name="configuredMs"/>).
    /// </summary>
    public int MaxRetransmitTimeoutMs(int payload, int minimumMs, int configuredMs) =>
        Arrives(payload, ObservedLossPerByte) < 0.5 ? Math.Min(configuredMs, 4 * minimumMs) : configuredMs;

    /// <summary>Transmissions a frame of <paramref name="payload"/> bytes takes on average (at least 1).</summary>
    public double ExpectedTransmissions(int payload) =>
        Math.Min(1 / Arrives(payload, LossPerByte), RetryLimit(payload) + 1);

    /// <summary>
    /// The loss actually seen (not the prior), doubled: a lost delimiter takes two frames with one loss event, and a
    /// frame of the bridge's that vanishes whole leaves no CRC failure here, so events undercount lost bytes.
    /// </summary>
    private double ObservedLossPerByte
    {
        get
        {
            lock (_gate)
            {
                return Math.Min(0.5, 2 * _losses / (_bytes + PriorBytes));
            }
        }
    }

    private static double Arrives(int payload, double lossPerByte) =>
        Math.Max(1e-9, Math.Pow(1 - lossPerByte, payload + (2 * FrameOverheadBytes)));
}
