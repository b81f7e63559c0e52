using Edge.Domain.Simulation;

namespace Edge.Trainer.Training;

/// <summary>
/// Direct feedback alignment for physical layers (Nøkland 2016, in the form used for physical hardware by Nakajima
/// et al. 2022): the output error e = (softmax − one-hot)/batch of each example is carried to every physical
/// layer's drive — its trainable inputs and θ — through a fixed random matrix B_l, δ_l = B_l e, in place of the
/// unknown Jacobian of the physics. Nothing is differentiated through the device or a twin; the digital modules
/// between physical layers back-propagate δ as usual, the digital readout gets its exact gradient, and the layer
/// still zeroes δ where the DAC clipped and adds its range penalty.
/// </summary>
public sealed class DirectFeedbackAlignment : IDriveFeedback
{
    private readonly Dictionary<PhysicalLayer, float[]> _feedback = [];
    private readonly NoiseSource _random;
    private readonly int _classes;
    private readonly double _scale;
    private readonly float[] _error;
    private int _batch;

    /// <summary>
    /// Creates the feedback for a network with <paramref name="classes"/> logits; B's entries are drawn from
    /// N(0, <paramref name="scale"/>²/classes) (<see cref="TrainingOptions.FeedbackScale"/>).
    /// </summary>
    public DirectFeedbackAlignment(int classes, int maxBatch, ulong seed, double scale)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        if (!double.IsFinite(scale) || scale <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "The feedback scale must be positive.");
        }

        _classes = classes;
        _scale = scale;
        _error = new float[maxBatch * classes];
        _random = new NoiseSource(seed ^ 0xdfa0_b5);
    }

    /// <summary>Attaches the feedback to every physical layer of <paramref name="model"/>.</summary>
    public void Attach(PnnModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        foreach (var layer in model.PhysicalLayers)
        {
            layer.Feedback = this;
        }
    }

    /// <summary>
    /// Keeps the logit gradient of the batch (the error DFA sends back) for the coming backward pass.
    /// </summary>
    public void Capture(ReadOnlySpan<float> logitGradient, int batch)
    {
        logitGradient[..(batch * _classes)].CopyTo(_error);
        _batch = batch;
    }

    /// <inheritdoc />
    public void DriveGradient(PhysicalLayer layer, int batch, Span<float> driveGradient)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (batch != _batch)
        {
            throw new InvalidOperationException($"The error captured is for {_batch} examples, not {batch}.");
        }

        var spec = layer.Spec;
        var driveLength = spec.DriveLength;
        var matrix = FeedbackFor(layer);
        for (var b = 0; b < batch; b++)
        {
            var error = _error.AsSpan(b * _classes, _classes);
            for (var s = 0; s < driveLength; s++)
            {
                var row = matrix.AsSpan(s * _classes, _classes);
                var sum = 0f;
                for (var k = 0; k < _classes; k++)
                {
                    sum += row[k] * error[k];
                }

                driveGradient[(b * driveLength) + s] = spec.SegmentRange(s).IsFrozen ? 0 : sum;
            }
        }
    }

    // B_l is drawn once per layer and kept for the whole run (the readout learns to align with it). Its scale sets δ
    // against the range penalty's gradient; the chosen scale per part is in docs/benchmarks-notes.md.
    private float[] FeedbackFor(PhysicalLayer layer)
    {
        if (!_feedback.TryGetValue(layer, out var matrix))
        {
            matrix = new float[layer.Spec.DriveLength * _classes];
            var deviation = _scale / Math.Sqrt(_classes);
            for (var i = 0; i < matrix.Length; i++)
            {
                matrix[i] = (float)(deviation * _random.NextGaussian());
            }

            _feedback[layer] = matrix;
        }

        return matrix;
    }
}
