namespace Edge.Agent.Supervision;

/// <summary>One parking of the device: why, in words, and when (a <see cref="TimeProvider"/> timestamp).</summary>
/// <param name="Fault">What was detected.</param>
/// <param name="Detail">What the device did, in words.</param>
/// <param name="At">When the supervisor parked it.</param>
public sealed record DeviceTrip(DeviceFault Fault, string Detail, long At);

/// <summary>A change of the device's state: parked (<see cref="Recovered"/> false) or back in service.</summary>
/// <param name="DeviceId">The device.</param>
/// <param name="Trip">The parking this change starts or ends.</param>
/// <param name="Recovered">True when a probe passed and the device is back in service.</param>
/// <param name="Downtime">How long the device was parked, on recovery.</param>
public sealed record DeviceStateChange(string DeviceId, DeviceTrip Trip, bool Recovered, TimeSpan Downtime);
