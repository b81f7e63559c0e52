using System.Text.Json.Serialization;

namespace Edge.Domain.Specs;

/// <summary>What a drive segment carries.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DriveSlotKind>))]
public enum DriveSlotKind
{
    /// <summary>A value of the layer input (data).</summary>
    Input,

    /// <summary>A trainable physical parameter.</summary>
    Parameter,
}

/// <summary>One segment of the drive waveform: which input or parameter it plays.</summary>
/// <param name="Kind">Input or parameter.</param>
/// <param name="Index">Index into the layer's inputs or parameters.</param>
public readonly record struct DriveSlot(DriveSlotKind Kind, int Index)
{
    /// <summary>The usual layout: all data segments first, then all parameter segments.</summary>
    public static DriveSlot[] InputsThenParameters(int inputSize, int parameterSize)
    {
        var slots = new DriveSlot[inputSize + parameterSize];
        for (var i = 0; i < inputSize; i++)
        {
            slots[i] = new DriveSlot(DriveSlotKind.Input, i);
        }

        for (var p = 0; p < parameterSize; p++)
        {
            slots[inputSize + p] = new DriveSlot(DriveSlotKind.Parameter, p);
        }

        return slots;
    }
}
