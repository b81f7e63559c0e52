using Edge.Domain.Specs;
using Edge.Trainer.Neural;

namespace Edge.Trainer.Twins;

/// <summary>
/// Black-box twin: an MLP on the drive (inputs ++ parameters in segment order) scaled to [−1, 1] over the DAC range,
/// predicting responses normalised by their global mean and standard deviation.
/// </summary>
public sealed class MlpTwin : ITwin
{
    private readonly float _driveCentre;
    private readonly float _driveHalfRange;

    /// <summary>Wraps a fitted network with the normalisation it was fitted with.</summary>
    public MlpTwin(LayerSpec spec, Mlp network, float responseMean, float responseStd)
    {
        if (network.InputSize != spec.DriveLength || network.OutputSize != spec.OutputSize)
        {
            throw new
                ArgumentException($"MLP {network.InputSize}→{network.OutputSize} does not fit layer '{spec.Name}' "
                    + $"({spec.DriveLength}→{spec.OutputSize}).", nameof(network));
        }

        Spec = spec;
        Network = network;
        ResponseMean = responseMean;
        ResponseStd = responseStd;
        _driveCentre = (float)((spec.Dac.Max + spec.Dac.Min) / 2);
        _driveHalfRange = (float)((spec.Dac.Max - spec.Dac.Min) / 2);
    }

    /// <inheritdoc />
    public LayerSpec Spec { get; }

    /// <summary>The network.</summary>
    public Mlp Network { get; }

    /// <summary>Mean of the responses the twin was fitted on.</summary>
    public float ResponseMean { get; }

    /// <summary>Standard deviation of the responses the twin was fitted on.</summary>
    public float ResponseStd { get; }

    /// <inheritdoc />
    public string Description => $"MLP {string.Join('-', Network.LayerSizes)} (SiLU)";

    /// <summary>A copy with its own weights, e.g. to fine-tune during PAT without touching the original.</summary>
    public MlpTwin Clone() => new(Spec, Network.Clone(), ResponseMean, ResponseStd);

    /// <inheritdoc />
    public TwinWorkspace CreateWorkspace(int maxBatch) => new Workspace(this, maxBatch);

    /// <summary>Scales drives into the network's input convention.</summary>
    public void NormaliseDrives(ReadOnlySpan<float> drives, Span<float> normalised)
    {
        var inverse = 1f / _driveHalfRange;
        for (var i = 0; i < drives.Length; i++)
        {
            normalised[i] = (drives[i] - _driveCentre) * inverse;
        }
    }

    /// <summary>Scales responses into the network's output convention.</summary>
    public void NormaliseResponses(ReadOnlySpan<float> responses, Span<float> normalised)
    {
        var inverse = 1f / ResponseStd;
        for (var i = 0; i < responses.Length; i++)
        {
            normalised[i] = (responses[i] - ResponseMean) * inverse;
        }
    }

    /// <inheritdoc />
    public void Forward(ReadOnlySpan<float> drives, int batch, Span<float> responses, TwinWorkspace workspace)
    {
        var w = (Workspace)workspace;
        w.Batch = batch;
        var inputs = w.Inputs.AsSpan(0, batch * Spec.DriveLength);
        NormaliseDrives(drives[..inputs.Length], inputs);
        var outputs = responses[..(batch * Spec.OutputSize)];
        Network.Forward(inputs, batch, outputs, w.Activations);
        for (var i = 0; i < outputs.Length; i++)
        {
            outputs[i] = (outputs[i] * ResponseStd) + ResponseMean;
        }
    }

    /// <inheritdoc />
    public void Vjp(TwinWorkspace workspace, ReadOnlySpan<float> responseGradient, Span<float> driveGradient)
    {
        var w = (Workspace)workspace;
        var outputGradient = w.OutputGradient.AsSpan(0, w.Batch * Spec.OutputSize);
        for (var i = 0; i < outputGradient.Length; i++)
        {
            outputGradient[i] = responseGradient[i] * ResponseStd;
        }

        var inputGradient = driveGradient[..(w.Batch * Spec.DriveLength)];
        Network.Backward(w.Activations, outputGradient, inputGradient, accumulateParameterGradients: false);
        var inverse = 1f / _driveHalfRange;
        for (var i = 0; i < inputGradient.Length; i++)
        {
            inputGradient[i] *= inverse;
        }
    }

    private sealed class Workspace(MlpTwin twin, int maxBatch) : TwinWorkspace(maxBatch)
    {
        public float[] Inputs { get; } = new float[maxBatch * twin.Spec.DriveLength];

        public float[] OutputGradient { get; } = new float[maxBatch * twin.Spec.OutputSize];

        public MlpActivations Activations { get; } = new(twin.Network, maxBatch);
    }
}
