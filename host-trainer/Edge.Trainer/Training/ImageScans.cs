namespace Edge.Trainer.Training;

/// <summary>
/// Copies a square image into several scan orders side by side (row by row, column by column, and each backwards),
/// so that a bank of pixel-drive layers sees the same image in different orders. A time-segment device only mixes
/// pixels that are close in time: row order gives it horizontal neighbours, column order vertical ones, and the
/// backward scans turn its causal memory the other way. No trainable parameters.
/// </summary>
public sealed class ImageScans : PnnModule
{
    /// <summary>The most scans there are (rows, columns, rows backwards, columns backwards).</summary>
    public const int MaxScans = 4;

    // _source[k * pixels + j]: the input pixel that output j of scan k copies.
    private readonly int[] _source;
    private readonly int _pixels;

    /// <summary>Creates <paramref name="scans"/> (1..4) scan orders of a <paramref name="side"/>×<paramref
    /// name="side"/> image.</summary>
    public ImageScans(int side, int scans)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(side, 1);
        if (scans is < 1 or > MaxScans)
        {
            throw new ArgumentOutOfRangeException(nameof(scans), scans,
                $"An image has 1 to {MaxScans} scan orders (rows, columns, rows backwards, columns backwards).");
        }

        _pixels = side * side;
        _source = new int[scans * _pixels];
        for (var k = 0; k < scans; k++)
        {
            for (var j = 0; j < _pixels; j++)
            {
                var t = k >= 2 ? _pixels - 1 - j : j;
                var (row, column) = (t / side, t % side);
                _source[(k * _pixels) + j] = k % 2 == 0 ? (row * side) + column : (column * side) + row;
            }
        }
    }

    /// <inheritdoc />
    public override int InputSize => _pixels;

    /// <inheritdoc />
    public override int OutputSize => _source.Length;

    /// <inheritdoc />
    public override ValueTask ForwardAsync(float[] input, int batch, float[] output, PassKind pass, bool training,
        CancellationToken cancellationToken)
    {
        var width = _source.Length;
        for (var b = 0; b < batch; b++)
        {
            var image = input.AsSpan(b * _pixels, _pixels);
            var scans = output.AsSpan(b * width, width);
            for (var i = 0; i < width; i++)
            {
                scans[i] = image[_source[i]];
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public override void Backward(float[] input, int batch, float[] outputGradient, float[] inputGradient)
    {
        var width = _source.Length;
        Array.Clear(inputGradient, 0, batch * _pixels);
        for (var b = 0; b < batch; b++)
        {
            var image = inputGradient.AsSpan(b * _pixels, _pixels);
            var scans = outputGradient.AsSpan(b * width, width);
            for (var i = 0; i < width; i++)
            {
                image[_source[i]] += scans[i];
            }
        }
    }
}
