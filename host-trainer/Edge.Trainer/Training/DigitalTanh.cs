namespace Edge.Trainer.Training;

/// <summary>Element-wise tanh: the nonlinearity of the purely digital comparison network.</summary>
public sealed class DigitalTanh : PnnModule
{
    /// <summary>Creates the activation over <paramref name="size"/> values.</summary>
    public DigitalTanh(int size) => InputSize = size;

    /// <inheritdoc />
    public override int InputSize { get; }

    /// <inheritdoc />
    public override int OutputSize => InputSize;

    /// <inheritdoc />
    public override ValueTask ForwardAsync(float[] input, int batch, float[] output, PassKind pass, bool training,
        CancellationToken cancellationToken)
    {
        for (var i = 0; i < batch * InputSize; i++)
        {
            output[i] = MathF.Tanh(input[i]);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public override void Backward(float[] input, int batch, float[] outputGradient, float[] inputGradient)
    {
        for (var i = 0; i < batch * InputSize; i++)
        {
            var y = MathF.Tanh(input[i]);
            inputGradient[i] = outputGradient[i] * (1 - (y * y));
        }
    }
}
