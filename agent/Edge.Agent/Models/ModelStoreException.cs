namespace Edge.Agent.Models;

/// <summary>A store operation cannot be carried out; the message says why.</summary>
public sealed class ModelStoreException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ModelStoreException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public ModelStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
