namespace Edge.Trainer.Live;

/// <summary>
/// The measurement store's schema, as numbered migrations applied in order and recorded in <c>schema_version</c>.
/// The SQL is shared by SQLite and PostgreSQL except for the binary column type.
/// Version 1: measurements; version 2: the field-update ledger; version 3: the commissioning ledger; version 4: the
/// live-accuracy reference of each field version; version 5: refusals in a row and the accuracy fall refused; version
/// 6: each device's own accuracy reference (the best a version settled at) and the sessions short of it.
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
            // The field-update ledger (FieldUpdateLedger): every model version each device ran or was offered, with
            // its content hash and drift reference, and each device's last session, so a restart forgets nothing.
            """
            CREATE TABLE field_versions(
                device_id TEXT NOT NULL,
                version INTEGER NOT NULL,
                sha256 TEXT NULL,
                state TEXT NOT NULL,
                verdict TEXT NULL,
                package_path TEXT NULL,
                drift_baseline DOUBLE PRECISION NULL,
                at_ms BIGINT NOT NULL,
                PRIMARY KEY(device_id, version));
            CREATE TABLE field_devices(
                device_id TEXT PRIMARY KEY,
                last_session_ms BIGINT NULL,
                last_reason TEXT NULL,
                last_outcome TEXT NULL,
                last_detail TEXT NULL,
                last_completed_ms BIGINT NULL,
                refused_version INTEGER NULL,
                refused_rise DOUBLE PRECISION NULL,
                requested_ms BIGINT NULL);
            """,
            // The commissioning ledger (CommissioningLedger): which agents were commissioned from the product-line
            // model, and when a refused or failed commissioning may be tried again, so a restart redoes nothing.
            """
            CREATE TABLE field_commissioning(
                device_id TEXT PRIMARY KEY,
                state TEXT NOT NULL,
                attempts INTEGER NOT NULL,
                last_attempt_ms BIGINT NOT NULL,
                next_attempt_ms BIGINT NULL,
                version INTEGER NULL,
                detail TEXT NULL,
                accuracy_before DOUBLE PRECISION NULL,
                accuracy_after DOUBLE PRECISION NULL,
                seconds DOUBLE PRECISION NULL);
            """,
            // The live-accuracy reference of each version (the agent's calibration-probe accuracy first published
            // while it ran it), so a restarted trainer still sees a part that drifted before the restart as drifted.
            "ALTER TABLE field_versions ADD COLUMN accuracy_baseline DOUBLE PRECISION NULL;",
            // Refusals in a row (the wait before the next try doubles with each) and the live-accuracy fall when the
            // refused session started (only a further fall is a new reason), so a restart keeps backing off.
            """
            ALTER TABLE field_devices ADD COLUMN refusals INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE field_devices ADD COLUMN refused_drop DOUBLE PRECISION NULL;
            """,
            // The best live accuracy a version of the device settled at (and which version), and the completed
            // sessions since the part last ran within the drop threshold of it: a partial recovery is not forgotten.
            """
            ALTER TABLE field_devices ADD COLUMN accuracy_reference DOUBLE PRECISION NULL;
            ALTER TABLE field_devices ADD COLUMN reference_version INTEGER NULL;
            ALTER TABLE field_devices ADD COLUMN recovery_sessions INTEGER NOT NULL DEFAULT 0;
            """,
        ];
    }
}
