namespace Edge.Trainer.Live;

/// <summary>
/// The measurement store's schema, as numbered migrations applied in order and recorded in <c>schema_version</c>.
/// The SQL is shared by SQLite and PostgreSQL except for the binary column type.
/// </summary>
internal static class StoreMigrations
{
    /// <summary>Migration <c>i</c> brings the schema from version <c>i</c> to <c>i + 1</c>.</summary>
    public static string[] For(StoreDialect dialect)
    {
        var blob = dialect == StoreDialect.PostgreSql ? "BYTEA" : "BLOB";
        return
        [
            $"""
            CREATE TABLE measurements(
                id {blob} PRIMARY KEY,
                device_id TEXT NOT NULL,
                ts_ms BIGINT NOT NULL,
                input_size INTEGER NOT NULL,
                drive_length INTEGER NOT NULL,
                output_size INTEGER NOT NULL,
                inputs {blob} NOT NULL,
                drives {blob} NOT NULL,
                responses {blob} NOT NULL);
            CREATE INDEX measurements_device_time ON measurements(device_id, ts_ms);
            """,
        ];
    }
}
