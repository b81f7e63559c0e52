namespace Edge.Bridge.Protocol;

/// <summary>A frame or message violates the bridge protocol; the message names the problem.</summary>
public class ProtocolException : System.Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="error">Category of the violation.</param>
    /// <param name="message">What exactly is wrong, with the offending values.</param>
    public ProtocolException(ProtocolError error, string message)
        : base(message)
    {
        Error = error;
    }

    /// <summary>Category of the violation.</summary>
    public ProtocolError Error { get; }
}
