using Edge.Agent.Configuration;
using Edge.Devices.Bridge;
using Edge.Domain.Simulation;
using Microsoft.Extensions.Logging;

namespace Edge.Agent.Hosting;

/// <summary>Opens the Bridge layer backend from configuration: a serial port, or an emulator over TCP.</summary>
public static class BridgeBackendFactory
{
    /// <summary>
    /// Connects to the bridge and checks it can play the layer; later link failures reconnect by themselves.
    /// </summary>
    /// <exception cref="DeviceUnavailableException">The port or emulator cannot be reached, the bridge does not
    /// answer, or it cannot play the layer.</exception>
    public static BridgeDevice Create(IPhysicalSystem system, DeviceOptions options, ILoggerFactory? loggers = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(options);
        var bridge = options.Bridge;
        var device = ToDeviceOptions(bridge);
        var logger = loggers?.CreateLogger<BridgeDevice>();
        try
        {
            if (!string.IsNullOrWhiteSpace(bridge.Tcp))
            {
                var colon = bridge.Tcp.LastIndexOf(':');
                var port = int.Parse(bridge.Tcp.AsSpan(colon + 1), System.Globalization.CultureInfo.InvariantCulture);

                // Device creation happens once at start-up, where blocking on the handshake is what we want.
                return BridgeDevice
                    .OpenTcpAsync(system.Spec, options.DeviceId, bridge.Tcp[..colon], port, device, logger: logger)
                    .GetAwaiter().GetResult();
            }

            return BridgeDevice
                .OpenSerialAsync(system.Spec, options.DeviceId, bridge.Port, bridge.BaudRate, device, logger: logger)
                .GetAwaiter().GetResult();
        }
        catch (IOException e)
        {
            throw new DeviceUnavailableException(
                $"{DeviceOptions.SectionName}:{nameof(DeviceOptions.Bridge)}: {e.Message}", e);
        }
    }

    /// <summary>
    /// The link settings from <c>Edge:Device:Bridge</c> (validated by <see cref="DeviceOptionsValidator"/>).
    /// </summary>
    public static BridgeDeviceOptions ToDeviceOptions(BridgeBackendOptions bridge)
    {
        ArgumentNullException.ThrowIfNull(bridge);
        return new BridgeDeviceOptions
        {
            DriveChannel = bridge.DriveChannel,
            CaptureChannel = bridge.CaptureChannel,
            DrivesPerRequest = bridge.DrivesPerRequest,
            RestSegments = bridge.RestSegments,
            MaxPayload = bridge.MaxPayload,
            BaudRate = bridge.BaudRate,
            RetransmitTimeout = TimeSpan.FromMilliseconds(bridge.RetransmitTimeoutMs),
            MinRetransmitTimeout = TimeSpan.FromMilliseconds(bridge.MinRetransmitTimeoutMs),
            MaxRetransmitTimeout = TimeSpan.FromMilliseconds(bridge.MaxRetransmitTimeoutMs),
            RetryLimit = bridge.RetryLimit,
            MaxRetryLimit = bridge.MaxRetryLimit,
            HeartbeatInterval = TimeSpan.FromMilliseconds(bridge.HeartbeatIntervalMs),
            SilenceTimeout = TimeSpan.FromMilliseconds(bridge.SilenceTimeoutMs),
            StallTimeout = TimeSpan.FromMilliseconds(bridge.StallTimeoutMs),
            ReconnectDelay = TimeSpan.FromMilliseconds(bridge.ReconnectDelayMs),
            MaxReconnectDelay = TimeSpan.FromMilliseconds(bridge.MaxReconnectDelayMs),
        };
    }
}
