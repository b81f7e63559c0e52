namespace Edge.Agent.Commands;

/// <summary>Process exit codes of <c>edge-agent</c>; the systemd unit relies on <see cref="InvalidConfiguration"/> not
/// being retried.</summary>
public static class ExitCodes
{
    /// <summary>The command did what it was asked.</summary>
    public const int Success = 0;

    /// <summary>Bad command-line syntax, or an unexpected failure (I/O, the device).</summary>
    public const int Failure = 1;

    /// <summary>An input file is missing or malformed; nothing was written.</summary>
    public const int InvalidInput = 2;

    /// <summary>The configuration is invalid; the message names the key.</summary>
    public const int InvalidConfiguration = 3;

    /// <summary>The model store refused the request (package rejected, nothing to roll back to, no active
    /// model).</summary>
    public const int Refused = 4;

    /// <summary>The layer hardware could not be opened or failed during I/O.</summary>
    public const int DeviceUnavailable = 5;
}
