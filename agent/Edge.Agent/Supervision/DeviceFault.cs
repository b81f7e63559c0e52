namespace Edge.Agent.Supervision;

/// <summary>Why the supervisor parked a device.</summary>
public enum DeviceFault
{
    /// <summary>No fault: the device is in service.</summary>
    None,

    /// <summary>Every sample of several calls in a row had the same code: the ADC no longer converts.</summary>
    AdcStuck,

    /// <summary>
    /// Every sample of several calls in a row sat at a rail code: the input is out of range or shorted.
    /// </summary>
    AdcSaturated,

    /// <summary>A transfer failed: a converter stopped acknowledging on I2C, a bus or the bridge link failed.</summary>
    DeviceError,

    /// <summary>The device did not answer in time: the bridge is unplugged or its firmware hung.</summary>
    Timeout,
}

/// <summary>The names faults have in logs, status, alerts and metrics.</summary>
public static class DeviceFaults
{
    /// <summary>
    /// The fault's name: <c>adc-stuck</c>, <c>adc-saturated</c>, <c>device-error</c>, <c>timeout</c> or <c>none</c>.
    /// </summary>
    public static string Name(this DeviceFault fault) => fault switch
    {
        DeviceFault.AdcStuck => "adc-stuck",
        DeviceFault.AdcSaturated => "adc-saturated",
        DeviceFault.DeviceError => "device-error",
        DeviceFault.Timeout => "timeout",
        _ => "none",
    };
}
