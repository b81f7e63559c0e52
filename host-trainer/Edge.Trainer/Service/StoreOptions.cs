namespace Edge.Trainer.Service;

/// <summary>Where <c>serve</c> keeps measurements, bound from <c>Edge:Store</c>.</summary>
public sealed class StoreOptions
{
    /// <summary>Configuration section the options are bound from.</summary>
    public const string SectionName = "Edge:Store";

    /// <summary>
    /// A SQLite file (relative paths resolve in the working directory: the unit's state directory) or a PostgreSQL
    /// connection string (<c>Host=…;Database=…;Username=…</c>).
    /// </summary>
    public string Connection { get; set; } = "edge-measurements.db";
}
