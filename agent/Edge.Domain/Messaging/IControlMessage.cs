namespace Edge.Domain.Messaging;

/// <summary>A JSON control message; every one carries the schema version it was written with.</summary>
public interface IControlMessage
{
    /// <summary>Schema version of the message; readers reject versions they do not know.</summary>
    int SchemaVersion { get; }
}
