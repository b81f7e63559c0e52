namespace Edge.Domain.Devices;

/// <summary>
/// A device that can drive its outputs to their safe values on demand (a supervisor parks it on a fault).
/// </summary>
public interface IParkableDevice
{
    /// <summary>
    /// Drives every output to its safe value; throws the device's own error when it cannot be reached.
    /// </summary>
    void Park();
}
