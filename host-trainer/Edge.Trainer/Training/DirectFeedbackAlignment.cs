using Edge.Domain.Simulation;

namespace Edge.Trainer.Training;

/// <summary>
/// Direct feedback alignment for physical layers (Nøkland 2016; the augmented variant of Nakajima et al. 2022 for
/// physical hardware): the output error e = softmax − one-hot of each example is carried to every physical layer's
/// drive (its trainable inputs and θ) through a fixed random matrix B_l, δ_l = (B_l e) ⊙ g(z), with z the drive
/// scaled to its range and g(z) = cos(π(z − ½)) standing in for the unknown derivative of the physics (largest
/// mid-range, fading towards the range's ends). Nothing is differentiated through the device or a twin; the digital
/// modules between physical layers back-propagate δ as usual, and the digital readout gets its exact gradient.
/// </summary>
public sealed class DirectFeedbackAlignment : IDriveFeedback
{
    private readonly Dictionary<PhysicalLayer, float[]> _feedback = [];
    private readonly NoiseSource _random;
    private readonly int _classes;
    private readonly float[] _error;
    private int _batch;

    /// <summary>Creates the feedback for a network with <paramref name="classes"/> logits.</summary>
    public DirectFeedbackAlignment(int classes, int maxBatch, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        _classes = classes;
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

    /// <summary>Keeps the logit gradient of the batch (the error DFA sends back) for the coming backward pass.</summary>
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
        var drives = layer.PlayedDrives(batch);
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

                var range = spec.SegmentRange(s);
                var shape = range.IsFrozen ? 0 : Math.Cos(Math.PI * (((drives[(b * driveLength) + s] - range.Lo)
                    / range.Width) - 0.5));
                driveGradient[(b * driveLength) + s] = (float)(sum * Math.Max(0, shape));
            }
        }
    }

    // B_l is drawn once per layer, N(0, 1/classes), and kept for the whole run: the readout learns to align with it.
    private float[] FeedbackFor(PhysicalLayer layer)
    {
        if (!_feedback.TryGetValue(layer, out var matrix))
        {
            matrix = new float[layer.Spec.DriveLength * _classes];
            var deviation = 1 / Math.Sqrt(_classes);
            for (var i = 0; i < matrix.Length; i++)
            {
                matrix[i] = (float)(deviation * _random.NextGaussian());
            }

            _feedback[layer] = matrix;
        }

        return matrix;
    }
}
