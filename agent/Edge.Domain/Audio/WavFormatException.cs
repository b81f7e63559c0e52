namespace Edge.Domain.Audio;

/// <summary>A WAV file that cannot be read; the message names the file (when known) and the problem.</summary>
public sealed class WavFormatException : FormatException
{
    /// <summary>Creates the exception with a message naming the problem.</summary>
    public WavFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the underlying cause.</summary>
    public WavFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception without a message (prefer the other constructors).</summary>
    public WavFormatException()
        : base("The WAV data is invalid.")
    {
    }
}
