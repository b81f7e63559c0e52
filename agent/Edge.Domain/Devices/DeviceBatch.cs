using Edge.Domain.Specs;

namespace Edge.Domain.Devices;

/// <summary>Argument checks shared by every device backend, so all of them reject a bad batch with the same
/// message.</summary>
public static class DeviceBatch
{
    /// <summary>Returns the batch size, or throws when the buffers do not fit <paramref name="spec"/>.</summary>
    public static int Count(LayerSpec spec, int driveValues, int responseValues)
    {
        if (driveValues % spec.DriveLength != 0)
        {
            throw new
                ArgumentException($"Layer '{spec.Name}': {driveValues} drive values is not a whole number of "
                    + $"{spec.DriveLength}-segment drives.", "drives");
        }

        var count = driveValues / spec.DriveLength;
        if (responseValues != count * spec.OutputSize)
        {
            throw new
                ArgumentException($"Layer '{spec.Name}': {count} drives need room for {count * spec.OutputSize} "
                    + $"response values, got {responseValues}.", "responses");
        }

        return count;
    }
}
