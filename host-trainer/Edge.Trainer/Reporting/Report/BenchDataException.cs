namespace Edge.Trainer.Reporting.Report;

/// <summary>A bench data file (or folder, notes file, README) is missing or unusable; the message names it and the
/// problem.</summary>
public sealed class BenchDataException : Exception
{
    /// <summary>Creates the exception.</summary>
    public BenchDataException()
    {
    }

    /// <summary>Creates the exception with a message that names the file and the problem.</summary>
    public BenchDataException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    public BenchDataException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
