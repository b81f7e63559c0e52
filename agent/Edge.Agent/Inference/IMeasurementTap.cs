namespace Edge.Agent.Inference;

/// <summary>
/// Sees every drive a model plays on the device and the response measured, so a sample of live traffic can go to
/// the host (twin refits and drift checks need measurements of what the device really does in the field).
/// </summary>
public interface IMeasurementTap
{
    /// <summary>Called after each physical stage; the spans are only valid during the call.</summary>
    void Observe(ReadOnlySpan<float> drive, ReadOnlySpan<float> response);
}
