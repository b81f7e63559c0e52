namespace Edge.Trainer.Neural;

/// <summary>
/// What <see cref="Mlp.Backward"/> needs from the last <see cref="Mlp.Forward"/>: the input, each hidden layer's
/// activation and sigmoid, plus gradient scratch. Sized once for up to <see cref="MaxBatch"/> rows and reused, so a
/// training step allocates nothing. One instance serves one forward/backward at a time.
/// </summary>
public sealed class MlpActivations
{
    /// <summary>Allocates buffers for batches of up to <paramref name="maxBatch"/> rows of <paramref
    /// name="mlp"/>.</summary>
    public MlpActivations(Mlp mlp, int maxBatch)
    {
        ArgumentNullException.ThrowIfNull(mlp);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBatch);
        MaxBatch = maxBatch;
        var sizes = mlp.LayerSizes;
        LayerSizes = [.. sizes];
        var hiddenLayers = sizes.Count - 2;
        Input = new float[maxBatch * sizes[0]];
        Hidden = new float[hiddenLayers][];
        Sigmoid = new float[hiddenLayers][];
        for (var l = 0; l < hiddenLayers; l++)
        {
            Hidden[l] = new float[maxBatch * sizes[l + 1]];
            Sigmoid[l] = new float[maxBatch * sizes[l + 1]];
        }

        Output = new float[maxBatch * sizes[^1]];
        var widest = 0;
        foreach (var size in sizes)
        {
            widest = Math.Max(widest, size);
        }

        GradientA = new float[maxBatch * widest];
        GradientB = new float[maxBatch * widest];
    }

    /// <summary>Largest batch these buffers hold.</summary>
    public int MaxBatch { get; }

    /// <summary>Rows of the batch last forwarded into this instance (0 before any forward).</summary>
    internal int Batch { get; set; }

    internal int[] LayerSizes { get; }

    internal float[] Input { get; }

    /// <summary>Post-activation output of each hidden layer, [batch, width].</summary>
    internal float[][] Hidden { get; }

    /// <summary>σ(pre-activation) of each hidden layer, [batch, width].</summary>
    internal float[][] Sigmoid { get; }

    internal float[] Output { get; }

    internal float[] GradientA { get; }

    internal float[] GradientB { get; }
}
