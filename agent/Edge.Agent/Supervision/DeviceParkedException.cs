namespace Edge.Agent.Supervision;

/// <summary>
/// The device is parked by its supervisor (outputs at their safe values, probed until it answers again): inference
/// falls back to the model's digital twin, other device work fails with this message.
/// </summary>
public sealed class DeviceParkedException : IOException
{
    /// <summary>Creates the exception for <paramref name="deviceId"/> parked by <paramref name="trip"/>.</summary>
    public DeviceParkedException(string deviceId, DeviceTrip trip, Exception? inner = null)
        : base(Describe(deviceId, trip), inner)
    {
        Trip = trip;
    }

    /// <summary>Creates the exception with a message of its own.</summary>
    public DeviceParkedException()
        : this("The device is parked.")
    {
    }

    /// <summary>Creates the exception with a message of its own.</summary>
    public DeviceParkedException(string message)
        : base(message)
    {
        Trip = new DeviceTrip(DeviceFault.DeviceError, message, 0);
    }

    /// <summary>Creates the exception with a message of its own and its cause.</summary>
    public DeviceParkedException(string message, Exception inner)
        : base(message, inner)
    {
        Trip = new DeviceTrip(DeviceFault.DeviceError, message, 0);
    }

    /// <summary>The parking in force.</summary>
    public DeviceTrip Trip { get; }

    private static string Describe(string deviceId, DeviceTrip trip)
        => $"device {deviceId} is parked ({trip.Fault.Name()}: {trip.Detail}); it is probed until it answers again.";
}
