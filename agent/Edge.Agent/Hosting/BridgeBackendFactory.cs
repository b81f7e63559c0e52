using Edge.Agent.Configuration;
using Edge.Devices.Bridge;
using Edge.Domain.Simulation;

namespace Edge.Agent.Hosting;

/// <summary>Opens the Bridge layer backend from configuration: a serial port, or an emulator over TCP.</summary>
public static class BridgeBackendFactory
{
    /// <summary>Connects to the bridge and checks it can play the layer.</summary>
    /// <exception cref="DeviceUnavailableException">The port or emulator cannot be reached, the bridge does not answer, or it cannot play the layer.</exception>
    public static BridgeDevice Create(IPhysicalSystem system, DeviceOptions options)
    {
        var bridge = options.Bridge;
        var device = new BridgeDeviceOptions
        {
            DriveChannel = bridge.DriveChannel,
            CaptureChannel = bridge.CaptureChannel,
            DrivesPerRequest = bridge.DrivesPerRequest,
            RestSegments = bridge.RestSegments,
        };
        try
        {
            if (!string.IsNullOrWhiteSpace(bridge.Tcp))
            {
                var colon = bridge.Tcp.LastIndexOf(':');
                var port = int.Parse(bridge.Tcp.AsSpan(colon + 1), System.Globalization.CultureInfo.InvariantCulture);

                // Device creation happens once at start-up, where blocking on the handshake is what we want.
                return BridgeDevice.OpenTcpAsync(system.Spec, options.DeviceId, bridge.Tcp[..colon], port, device).GetAwaiter().GetResult();
            }

            return BridgeDevice.OpenSerialAsync(system.Spec, options.DeviceId, bridge.Port, bridge.BaudRate, device).GetAwaiter().GetResult();
        }
        catch (IOException e)
        {
            throw new DeviceUnavailableException($"{DeviceOptions.SectionName}:{nameof(DeviceOptions.Bridge)}: {e.Message}", e);
        }
    }
}
