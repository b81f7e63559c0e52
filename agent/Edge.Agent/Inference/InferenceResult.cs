namespace Edge.Agent.Inference;

/// <summary>The outcome of one classification.</summary>
/// <param name="ClassIndex">Index of the winning class.</param>
/// <param name="Label">Its name.</param>
/// <param name="Confidence">Softmax probability of the winning class.</param>
/// <param name="DigitalTime">Time spent in the digital stages (ONNX Runtime and glue).</param>
/// <param name="DeviceTime">Time spent waiting for the physical device.</param>
public readonly record struct InferenceResult(
    int ClassIndex,
    string Label,
    float Confidence,
    TimeSpan DigitalTime,
    TimeSpan DeviceTime)
{
    /// <summary>
    /// True when the device was parked and the model's digital twin computed the physical stages: the answer is the
    /// model's best guess without its hardware, not a measurement.
    /// </summary>
    public bool Degraded { get; init; }
}
