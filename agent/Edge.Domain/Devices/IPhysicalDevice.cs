using Edge.Domain.Specs;

namespace Edge.Domain.Devices;

/// <summary>
/// The contract every physical layer backend fulfils — simulated physics, a DAC/ADC pair on the Pi, or the ESP32
/// bridge: play a batch of drive waveforms and return what was measured.
/// </summary>
public interface IPhysicalDevice
{
    /// <summary>The layer this device computes.</summary>
    LayerSpec Spec { get; }

    /// <summary>Stable identifier of this physical part (its serial number, or the simulated part's id).</summary>
    string DeviceId { get; }

    /// <summary>
    /// Plays <c>drives.Length / Spec.DriveLength</c> drives (row-major, each in segment order, DAC units) and writes
    /// the measured responses (row-major, <c>Spec.OutputSize</c> per drive, ADC units) into <paramref
    /// name="responses"/>.
    /// </summary>
    ValueTask ForwardAsync(ReadOnlyMemory<float> drives, Memory<float> responses,
        CancellationToken cancellationToken = default);
}
