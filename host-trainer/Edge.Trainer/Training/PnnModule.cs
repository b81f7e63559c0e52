using Edge.Trainer.Neural;

namespace Edge.Trainer.Training;

/// <summary>Where a forward pass runs its physical layers.</summary>
public enum PassKind
{
    /// <summary>On the physical device (PAT, ideal, evaluation).</summary>
    Device,

    /// <summary>On the digital twin (in-silico training, the twin's own prediction).</summary>
    Twin,
}

/// <summary>
/// One stage of a hybrid PNN: digital or physical. Buffers are row-major [batch, size]; a module keeps what its
/// backward pass needs from the last training forward.
/// </summary>
public abstract class PnnModule
{
    /// <summary>Values per example going in.</summary>
    public abstract int InputSize { get; }

    /// <summary>Values per example coming out.</summary>
    public abstract int OutputSize { get; }

    /// <summary>Trainable parameters.</summary>
    public virtual IReadOnlyList<Parameter> Parameters => [];

    /// <summary>Soft range penalty of the last training forward (added to the loss).</summary>
    public virtual double Penalty => 0;

    /// <summary>Runs the module on <paramref name="batch"/> rows of <paramref name="input"/>.</summary>
    public abstract ValueTask ForwardAsync(float[] input, int batch, float[] output, PassKind pass, bool training,
        CancellationToken cancellationToken);

    /// <summary>Back-propagates <paramref name="outputGradient"/>: writes dL/dinput, adds to parameter
    /// gradients.</summary>
    public abstract void Backward(float[] input, int batch, float[] outputGradient, float[] inputGradient);

    /// <summary>Called after every optimiser step (e.g. to clamp parameters into their ranges).</summary>
    public virtual void AfterStep()
    {
    }
}
