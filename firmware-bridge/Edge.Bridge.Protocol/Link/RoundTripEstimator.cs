namespace Edge.Bridge.Protocol;

/// <summary>
/// RFC 6298 retransmission timer: smoothed round trip (SRTT, gain 1/8) and its mean deviation (RTTVAR, gain 1/4),
/// timeout = SRTT + max(granularity, 4 · RTTVAR) within the configured bounds, doubled on every expiry until a fresh
/// sample arrives (Karn: only frames transmitted once give samples). Fixed point (SRTT × 8, RTTVAR × 4, as in
/// Jacobson's paper) so the ESP32 needs no floating point. The samples measure what the frame's own airtime does not
/// explain: the peer's processing, its transmit backlog and the ack's way back.
/// </summary>
internal sealed class RoundTripEstimator
{
    private const int GranularityMs = 1;
    private const int MaxBackoffShift = 16;
    private readonly int initialMs;
    private readonly int minMs;
    private int maxMs;
    private int scaledSrtt;
    private int scaledRttvar;
    private int backoffShift;

    public RoundTripEstimator(int initialMs, int minMs, int maxMs)
    {
        this.initialMs = initialMs;
        this.minMs = minMs;
        this.maxMs = maxMs;
    }

    public bool HasSample { get; private set; }

    public int MinMs => minMs;

    /// <summary>Upper bound of the timeout, backoff included; at least the lower bound.</summary>
    public int MaxMs
    {
        get => maxMs;
        set => maxMs = value < minMs ? minMs : value;
    }

    public int SmoothedMs => scaledSrtt >> 3;

    public int VariationMs => scaledRttvar >> 2;

    /// <summary>The timeout to arm now, backoff included.</summary>
    public int TimeoutMs
    {
        get
        {
            var baseMs = initialMs;
            if (HasSample)
            {
                var spread = scaledRttvar > GranularityMs ? scaledRttvar : GranularityMs;
                baseMs = SmoothedMs + spread;
            }

            baseMs = baseMs < minMs ? minMs : baseMs > maxMs ? maxMs : baseMs;
            var backedOff = (long)baseMs << backoffShift;
            return backedOff > maxMs ? maxMs : (int)backedOff;
        }
    }

    /// <summary>Adds a round-trip sample of a frame that was transmitted once; ends any backoff.</summary>
    public void AddSample(int sampleMs)
    {
        sampleMs = sampleMs < 0 ? 0 : sampleMs;
        if (!HasSample)
        {
            // RFC 6298 2.2: SRTT = R, RTTVAR = R / 2.
            scaledSrtt = sampleMs << 3;
            scaledRttvar = sampleMs << 1;
            HasSample = true;
        }
        else
        {
            // RTTVAR = 3/4 RTTVAR + 1/4 |SRTT − R|, then SRTT = 7/8 SRTT + 1/8 R (RFC 6298 2.3).
            var error = sampleMs - SmoothedMs;
            scaledSrtt += error;
            error = error < 0 ? -error : error;
            scaledRttvar += error - VariationMs;
        }

        backoffShift = 0;
    }

    /// <summary>A timer expired: double the timeout (RFC 6298 5.5) up to the maximum.</summary>
    public void BackOff()
    {
        if (backoffShift < MaxBackoffShift && TimeoutMs < maxMs)
        {
            backoffShift++;
        }
    }
}
