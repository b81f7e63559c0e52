namespace Edge.Trainer.Live;

/// <summary>The SQL database behind a <see cref="MeasurementStore"/>.</summary>
public enum StoreDialect
{
    /// <summary>A SQLite file (the default).</summary>
    Sqlite,

    /// <summary>A PostgreSQL server (a connection string with <c>Host=</c>).</summary>
    PostgreSql,
}
