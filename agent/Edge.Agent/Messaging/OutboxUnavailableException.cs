namespace Edge.Agent.Messaging;

/// <summary>
/// The outbox's database cannot store a measurement batch right now (disk full, I/O error, unopenable file); nothing
/// was stored. The <see cref="MeasurementRecorder"/> keeps the batch and tries again; control messages never see this.
/// </summary>
public sealed class OutboxUnavailableException : IOException
{
    /// <summary>Creates the exception.</summary>
    public OutboxUnavailableException()
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    public OutboxUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/> and its cause.</summary>
    public OutboxUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
