namespace Edge.Trainer.Live;

/// <summary>A live agent refused or failed to answer a PAT request; the message says which and why.</summary>
public sealed class RemoteDeviceException : Exception
{
    /// <summary>Creates the exception naming the problem.</summary>
    public RemoteDeviceException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the failure behind it.</summary>
    public RemoteDeviceException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public RemoteDeviceException()
        : base("The remote device failed.")
    {
    }
}
