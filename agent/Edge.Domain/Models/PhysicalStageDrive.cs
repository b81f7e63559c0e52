using Edge.Domain.Specs;

namespace Edge.Domain.Models;

/// <summary>
/// How a physical stage turns its input rows and θ into drives — the one rule the trainer's physical layer and the
/// agent's inference share: each row is placed with θ per the spec's drive layout and sent as is; the DAC clips and
/// quantises to its range, exactly as during training.
/// </summary>
public static class PhysicalStageDrive
{
    /// <summary>Fills <paramref name="drives"/> with <paramref name="batch"/> drives built from <paramref
    /// name="inputs"/> and <paramref name="theta"/>.</summary>
    public static void Assemble(LayerSpec spec, ReadOnlySpan<float> inputs, int batch, ReadOnlySpan<float>
        theta, Span<float> drives)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var inputSize = spec.InputSize;
        var driveLength = spec.DriveLength;
        for (var b = 0; b < batch; b++)
        {
            spec.AssembleDrive(inputs.Slice(b * inputSize, inputSize), theta,
                drives.Slice(b * driveLength, driveLength));
        }
    }

    /// <summary>Index of the first value that is NaN or infinite, or −1; such a value must never reach a DAC.</summary>
    public static int FirstNonFinite(ReadOnlySpan<float> values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                return i;
            }
        }

        return -1;
    }
}
