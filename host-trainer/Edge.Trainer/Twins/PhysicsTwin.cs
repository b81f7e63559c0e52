using Edge.Domain.Physics;
using Edge.Domain.Specs;

namespace Edge.Trainer.Twins;

/// <summary>
/// Gray-box twin: the layer's differentiable physics with its own coefficients and a per-output calibration
/// (gain, offset). With fitted coefficients it is the gray-box twin; with a part's true coefficients and unit
/// calibration it yields the exact gradients the ideal baseline trains with.
/// </summary>
public sealed class PhysicsTwin : ITwin
{
    private readonly double[] _coefficients;

    /// <summary>Creates the twin at the physics' nominal (datasheet) coefficients and unit calibration.</summary>
    public PhysicsTwin(IDifferentiablePhysics physics, string description)
    {
        Physics = physics;
        Description = description;
        _coefficients = new double[physics.Coefficients.Count];
        for (var i = 0; i < _coefficients.Length; i++)
        {
            _coefficients[i] = physics.Coefficients[i].Nominal;
        }

        Gain = new double[physics.Spec.OutputSize];
        Offset = new double[physics.Spec.OutputSize];
        Array.Fill(Gain, 1.0);
    }

    /// <summary>The physics.</summary>
    public IDifferentiablePhysics Physics { get; }

    /// <inheritdoc />
    public LayerSpec Spec => Physics.Spec;

    /// <inheritdoc />
    public string Description { get; }

    /// <summary>The coefficients in use.</summary>
    public Span<double> Coefficients => _coefficients;

    /// <summary>Per-output calibration gain.</summary>
    public double[] Gain { get; }

    /// <summary>Per-output calibration offset.</summary>
    public double[] Offset { get; }

    /// <summary>Worker threads for a batch.</summary>
    public int MaxDegreeOfParallelism { get; init; } = 1;

    /// <inheritdoc />
    public TwinWorkspace CreateWorkspace(int maxBatch) => new Workspace(this, maxBatch);

    /// <inheritdoc />
    public void Forward(ReadOnlySpan<float> drives, int batch, Span<float> responses, TwinWorkspace workspace)
    {
        var w = (Workspace)workspace;
        w.Batch = batch;
        var driveLength = Spec.DriveLength;
        for (var i = 0; i < batch * driveLength; i++)
        {
            w.Drives[i] = drives[i];
        }

        ForEach(batch,
            d => Physics.Forward(_coefficients, w.Drives.AsSpan(d * driveLength, driveLength),
                w.Clean.AsSpan(d * Spec.OutputSize, Spec.OutputSize),
                    w.Tapes.AsSpan(d * Physics.TapeLength, Physics.TapeLength)));
        var outputs = Spec.OutputSize;
        for (var i = 0; i < batch * outputs; i++)
        {
            var o = i % outputs;
            responses[i] = (float)((Gain[o] * w.Clean[i]) + Offset[o]);
        }
    }

    /// <inheritdoc />
    public void Vjp(TwinWorkspace workspace, ReadOnlySpan<float> responseGradient, Span<float> driveGradient)
        => Backward((Workspace)workspace, responseGradient, driveGradient, null);

    /// <summary>
    /// Back-propagates <paramref name="responseGradient"/> and adds the gradients of the coefficients, gains and
    /// offsets to <paramref name="calibrationGradient"/> (coefficients, then gains, then offsets) — what the
    /// gray-box fit needs.
    /// </summary>
    public void Backward(TwinWorkspace workspace, ReadOnlySpan<float> responseGradient, Span<float> driveGradient,
        double[]? calibrationGradient)
    {
        var w = (Workspace)workspace;
        var driveLength = Spec.DriveLength;
        var outputs = Spec.OutputSize;
        var coefficientCount = _coefficients.Length;
        for (var i = 0; i < w.Batch * outputs; i++)
        {
            w.CleanGradient[i] = responseGradient[i] * Gain[i % outputs];
        }

        Array.Clear(w.CoefficientGradients, 0, w.Batch * coefficientCount);
        ForEach(w.Batch, d => Physics.Backward(
            _coefficients,
            w.Drives.AsSpan(d * driveLength, driveLength),
            w.Tapes.AsSpan(d * Physics.TapeLength, Physics.TapeLength),
            w.CleanGradient.AsSpan(d * outputs, outputs),
            w.DriveGradient.AsSpan(d * driveLength, driveLength),
            w.CoefficientGradients.AsSpan(d * coefficientCount, coefficientCount)));
        if (!driveGradient.IsEmpty)
        {
            for (var i = 0; i < w.Batch * driveLength; i++)
            {
                driveGradient[i] = (float)w.DriveGradient[i];
            }
        }

        if (calibrationGradient is null)
        {
            return;
        }

        for (var d = 0; d < w.Batch; d++)
        {
            for (var c = 0; c < coefficientCount; c++)
            {
                calibrationGradient[c] += w.CoefficientGradients[(d * coefficientCount) + c];
            }

            for (var o = 0; o < outputs; o++)
            {
                var i = (d * outputs) + o;
                calibrationGradient[coefficientCount + o] += responseGradient[i] * w.Clean[i];
                calibrationGradient[coefficientCount + outputs + o] += responseGradient[i];
            }
        }
    }

    private void ForEach(int count, Action<int> body)
    {
        if (MaxDegreeOfParallelism <= 1 || count < 8)
        {
            for (var d = 0; d < count; d++)
            {
                body(d);
            }

            return;
        }

        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = MaxDegreeOfParallelism }, body);
    }

    private sealed class Workspace(PhysicsTwin twin, int maxBatch) : TwinWorkspace(maxBatch)
    {
        public double[] Drives { get; } = new double[maxBatch * twin.Spec.DriveLength];

        public double[] Clean { get; } = new double[maxBatch * twin.Spec.OutputSize];

        public double[] CleanGradient { get; } = new double[maxBatch * twin.Spec.OutputSize];

        public double[] DriveGradient { get; } = new double[maxBatch * twin.Spec.DriveLength];

        public double[] CoefficientGradients { get; } = new double[maxBatch * twin.Physics.Coefficients.Count];

        public double[] Tapes { get; } = new double[maxBatch * twin.Physics.TapeLength];
    }
}
