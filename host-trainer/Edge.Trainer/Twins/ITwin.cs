using Edge.Domain.Specs;

namespace Edge.Trainer.Twins;

/// <summary>
/// A differentiable digital model of a physical layer. PAT runs the device forward and asks the twin only for the
/// vector-Jacobian product at the drives the device actually received; in-silico training runs the twin both ways.
/// </summary>
public interface ITwin
{
    /// <summary>The layer the twin models.</summary>
    LayerSpec Spec { get; }

    /// <summary>Short description for reports, e.g. "MLP 24-256-256-256-12".</summary>
    string Description { get; }

    /// <summary>Creates scratch space for batches of up to <paramref name="maxBatch"/> drives.</summary>
    TwinWorkspace CreateWorkspace(int maxBatch);

    /// <summary>
    /// Predicts the responses to <paramref name="batch"/> converted drives (row-major, DAC units) and keeps in
    /// <paramref name="workspace"/> what <see cref="Vjp"/> needs.
    /// </summary>
    void Forward(ReadOnlySpan<float> drives, int batch, Span<float> responses, TwinWorkspace workspace);

    /// <summary>Writes dL/d(drive) for the batch last forwarded through <paramref name="workspace"/>.</summary>
    void Vjp(TwinWorkspace workspace, ReadOnlySpan<float> responseGradient, Span<float> driveGradient);
}

/// <summary>Per-caller scratch space of a twin (each physical layer that shares a twin has its own).</summary>
public abstract class TwinWorkspace
{
    /// <summary>Creates a workspace for up to <paramref name="maxBatch"/> drives.</summary>
    protected TwinWorkspace(int maxBatch) => MaxBatch = maxBatch;

    /// <summary>Largest batch the workspace holds.</summary>
    public int MaxBatch { get; }

    /// <summary>Batch size of the last forward pass.</summary>
    public int Batch { get; set; }
}
