namespace Edge.Trainer.Neural;

/// <summary>One trainable tensor, stored flat, with its gradient accumulator of the same length.</summary>
public sealed class Parameter
{
    /// <summary>Creates a zero-valued parameter of <paramref name="length"/> floats.</summary>
    public Parameter(string name, int length)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Name = name;
        Value = new float[length];
        Gradient = new float[length];
    }

    /// <summary>Name for diagnostics and checkpoints, e.g. <c>W0</c>.</summary>
    public string Name { get; }

    /// <summary>The values (row-major for matrices).</summary>
    public float[] Value { get; }

    /// <summary>Accumulated gradient of the loss with respect to <see cref="Value"/>.</summary>
    public float[] Gradient { get; }

    /// <summary>Clears <see cref="Gradient"/>.</summary>
    public void ZeroGradient() => Array.Clear(Gradient);
}
