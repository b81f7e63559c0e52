namespace Edge.Domain.Messaging;

/// <summary>A message on an Edge topic could not be decoded; <see cref="Exception.Message"/> names the
/// problem.</summary>
public sealed class MessageFormatException : Exception
{
    /// <summary>Creates the exception with a message naming what is wrong with the payload.</summary>
    public MessageFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the decoder error behind it.</summary>
    public MessageFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public MessageFormatException()
        : base("The message is malformed.")
    {
    }
}
