namespace Edge.Agent.Hosting;

/// <summary>The configured layer hardware cannot be opened, cannot serve the layer, or failed during I/O.</summary>
public sealed class DeviceUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DeviceUnavailableException()
    {
    }

    /// <summary>Creates the exception with a message naming the problem.</summary>
    public DeviceUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the underlying failure.</summary>
    public DeviceUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
