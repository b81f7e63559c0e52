namespace Edge.Domain.Models;

/// <summary>A model package was refused; the message names the problem (file, field or check that failed).</summary>
public sealed class ModelPackageException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ModelPackageException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the error that caused it.</summary>
    public ModelPackageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
