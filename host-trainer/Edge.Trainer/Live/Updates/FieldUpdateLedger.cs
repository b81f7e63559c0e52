using System.Data.Common;
using System.Globalization;

namespace Edge.Trainer.Live.Updates;

/// <summary>
/// What the trainer did to each device, kept in the measurement store's database (SQLite or PostgreSQL, tables
/// <c>field_versions</c> and <c>field_devices</c>) so it survives a restart: every model version published, accepted
/// or refused with its content hash and drift reference, and the device's last session. A version number, once
/// recorded, belongs to one content forever.
/// </summary>
public sealed class FieldUpdateLedger(MeasurementStore store)
{
    private readonly MeasurementStore _store = store ?? throw new ArgumentNullException(nameof(store));

    /// <summary>The record of <paramref name="version"/> of <paramref name="deviceId"/>, or null when none.</summary>
    public Task<FieldVersionRecord?> VersionAsync(
        string deviceId, int version, CancellationToken cancellationToken = default) =>
        _store.UseAsync(
            (connection, token) => ReadVersionAsync(connection, deviceId, version, token), cancellationToken);

    /// <summary>The highest version recorded for <paramref name="deviceId"/> in any state (0 when none).</summary>
    public Task<int> MaxVersionAsync(string deviceId, CancellationToken cancellationToken = default) =>
        _store.UseAsync(
            async (connection, token) =>
            {
                await using var select = Command(
                    connection, "SELECT max(version) FROM field_versions WHERE device_id = @device");
                MeasurementStore.Parameter(select, "@device").Value = deviceId;
                return await select.ExecuteScalarAsync(token).ConfigureAwait(false) is { } value and not DBNull
                    ? Convert.ToInt32(value, CultureInfo.InvariantCulture)
                    : 0;
            },
            cancellationToken);

    /// <summary>The highest version <paramref name="deviceId"/> accepted (0 when none).</summary>
    public Task<int> MaxAcceptedVersionAsync(string deviceId, CancellationToken cancellationToken = default) =>
        _store.UseAsync(
            async (connection, token) =>
            {
                await using var select = Command(
                    connection,
                    "SELECT max(version) FROM field_versions WHERE device_id = @device AND state = @accepted");
                MeasurementStore.Parameter(select, "@device").Value = deviceId;
                MeasurementStore.Parameter(select, "@accepted").Value = Name(FieldVersionState.Accepted);
                return await select.ExecuteScalarAsync(token).ConfigureAwait(false) is { } value and not DBNull
                    ? Convert.ToInt32(value, CultureInfo.InvariantCulture)
                    : 0;
            },
            cancellationToken);

    /// <summary>
    /// Records <paramref name="version"/> of <paramref name="deviceId"/> as <paramref name="state"/> unless it is
    /// recorded already, and returns the stored record (the earlier one if there was one: the caller compares hashes).
    /// </summary>
    public Task<FieldVersionRecord> RegisterAsync(
        string deviceId,
        int version,
        string? sha256,
        FieldVersionState state,
        string? packagePath,
        DateTimeOffset at,
        CancellationToken cancellationToken = default) =>
        _store.UseAsync(
            async (connection, token) =>
            {
                await using (var insert = Command(connection, """
                    INSERT INTO field_versions(device_id, version, sha256, state, package_path, at_ms)
                    VALUES (@device, @version, @sha, @state, @path, @at) ON CONFLICT(device_id, version) DO NOTHING
                    """))
                {
                    MeasurementStore.Parameter(insert, "@device").Value = deviceId;
                    MeasurementStore.Parameter(insert, "@version").Value = version;
                    MeasurementStore.Parameter(insert, "@sha").Value = (object?)sha256 ?? DBNull.Value;
                    MeasurementStore.Parameter(insert, "@state").Value = Name(state);
                    MeasurementStore.Parameter(insert, "@path").Value = (object?)packagePath ?? DBNull.Value;
                    MeasurementStore.Parameter(insert, "@at").Value = at.ToUnixTimeMilliseconds();
                    await insert.ExecuteNonQueryAsync(token).ConfigureAwait(false);
                }

                return await ReadVersionAsync(connection, deviceId, version, token).ConfigureAwait(false)
                    ?? throw new InvalidOperationException(
                        $"Field ledger: version {version} of '{deviceId}' was not stored.");
            },
            cancellationToken);

    /// <summary>Records the agent's verdict on an offered version.</summary>
    public Task SetStateAsync(
        string deviceId,
        int version,
        FieldVersionState state,
        string? verdict,
        CancellationToken cancellationToken = default) =>
        UpdateAsync(
            """
            UPDATE field_versions SET state = @value, verdict = @verdict
            WHERE device_id = @device AND version = @version
            """,
            deviceId,
            version,
            Name(state),
            verdict,
            cancellationToken);

    /// <summary>Records the drift reference measured just after <paramref name="version"/> began to run.</summary>
    public Task SetBaselineAsync(
        string deviceId, int version, double baseline, CancellationToken cancellationToken = default) =>
        UpdateAsync(
            "UPDATE field_versions SET drift_baseline = @value WHERE device_id = @device AND version = @version",
            deviceId,
            version,
            baseline,
            verdict: null,
            cancellationToken);

    /// <summary>Records the agent's live accuracy first published while <paramref name="version"/> ran.</summary>
    public Task SetAccuracyBaselineAsync(
        string deviceId, int version, double accuracy, CancellationToken cancellationToken = default) =>
        UpdateAsync(
            "UPDATE field_versions SET accuracy_baseline = @value WHERE device_id = @device AND version = @version",
            deviceId,
            version,
            accuracy,
            verdict: null,
            cancellationToken);

    /// <summary>The last session and pending request of <paramref name="deviceId"/> (empty when none).</summary>
    public Task<FieldDeviceRecord> DeviceAsync(string deviceId, CancellationToken cancellationToken = default) =>
        _store.UseAsync((connection, token) => ReadDeviceAsync(connection, deviceId, token), cancellationToken);

    /// <summary>
    /// Records a finished or failed session: a completed one (accepted or refused) starts the cooldown, a refusal is
    /// remembered with the drift rise it answered (a retry needs a new reason), an acceptance clears the refusal, and
    /// a completed session consumes an operator's request.
    /// </summary>
    public Task RecordSessionAsync(
        string deviceId, FieldSessionRecord session, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        return _store.UseAsync(
            async (connection, token) =>
            {
                var current = await ReadDeviceAsync(connection, deviceId, token).ConfigureAwait(false);
                var completed = session.Outcome != FieldSessionOutcome.Failed;
                var next = current with
                {
                    LastSession = session.At,
                    LastReason = session.Reason,
                    LastOutcome = session.Outcome,
                    LastDetail = session.Detail,
                    LastCompleted = completed ? session.At : current.LastCompleted,
                    RefusedVersion = session.Outcome switch
                    {
                        FieldSessionOutcome.Refused => session.Version,
                        FieldSessionOutcome.Accepted => null,
                        _ => current.RefusedVersion,
                    },
                    RefusedRise = session.Outcome switch
                    {
                        FieldSessionOutcome.Refused => session.DriftRise,
                        FieldSessionOutcome.Accepted => null,
                        _ => current.RefusedRise,
                    },
                    Requested = completed && current.Requested <= session.Started ? null : current.Requested,
                    Refusals = session.Outcome switch
                    {
                        FieldSessionOutcome.Refused => session.NewReason ? 1 : current.Refusals + 1,
                        FieldSessionOutcome.Accepted => 0,
                        _ => current.Refusals,
                    },
                    RefusedDrop = session.Outcome switch
                    {
                        FieldSessionOutcome.Refused => session.AccuracyDrop,
                        FieldSessionOutcome.Accepted => null,
                        _ => current.RefusedDrop,
                    },

                    // Counted until a check sees the part back within the threshold of its reference.
                    RecoverySessions = completed && current.AccuracyReference is not null
                        ? current.RecoverySessions + 1
                        : current.RecoverySessions,
                };
                await WriteDeviceAsync(connection, deviceId, next, token).ConfigureAwait(false);
                return 0;
            },
            cancellationToken);
    }

    /// <summary>An operator asks for a field update of <paramref name="deviceId"/> at the next check.</summary>
    public Task RequestAsync(string deviceId, DateTimeOffset at, CancellationToken cancellationToken = default) =>
        ChangeAsync(deviceId, current => current with { Requested = at }, cancellationToken);

    /// <summary>
    /// Raises the device's accuracy reference to <paramref name="accuracy"/>, settled by <paramref name="version"/>,
    /// when it has none or a lower one; returns the record as stored.
    /// </summary>
    public Task<FieldDeviceRecord> RaiseReferenceAsync(
        string deviceId, double accuracy, int version, CancellationToken cancellationToken = default) =>
        ChangeAsync(
            deviceId,
            current => current.AccuracyReference >= accuracy
                ? current
                : current with { AccuracyReference = accuracy, ReferenceVersion = version },
            cancellationToken);

    /// <summary>The part runs within the threshold of its reference again: no session is short of it now.</summary>
    public Task<FieldDeviceRecord> RecoveredAsync(string deviceId, CancellationToken cancellationToken = default) =>
        ChangeAsync(deviceId, current => current with { RecoverySessions = 0 }, cancellationToken);

    /// <summary>
    /// An operator forgets the device's accuracy reference (a swapped part, another product line, a level accepted
    /// as the best this part can do): the next settled figure becomes the reference.
    /// </summary>
    public Task<FieldDeviceRecord> ResetReferenceAsync(
        string deviceId, CancellationToken cancellationToken = default) =>
        ChangeAsync(
            deviceId,
            current => current with { AccuracyReference = null, ReferenceVersion = null, RecoverySessions = 0 },
            cancellationToken);

    /// <summary>The label of <paramref name="state"/> in the store.</summary>
    public static string Name(FieldVersionState state) => state.ToString().ToLowerInvariant();

    private Task<FieldDeviceRecord> ChangeAsync(
        string deviceId, Func<FieldDeviceRecord, FieldDeviceRecord> change, CancellationToken cancellationToken) =>
        _store.UseAsync(
            async (connection, token) =>
            {
                var current = await ReadDeviceAsync(connection, deviceId, token).ConfigureAwait(false);
                var next = change(current);
                if (next != current)
                {
                    await WriteDeviceAsync(connection, deviceId, next, token).ConfigureAwait(false);
                }

                return next;
            },
            cancellationToken);

    private Task<int> UpdateAsync(
        string sql, string deviceId, int version, object value, string? verdict, CancellationToken cancellationToken) =>
        _store.UseAsync(
            async (connection, token) =>
            {
                await using var update = Command(connection, sql);
                MeasurementStore.Parameter(update, "@value").Value = value;
                if (sql.Contains("@verdict", StringComparison.Ordinal))
                {
                    MeasurementStore.Parameter(update, "@verdict").Value = (object?)verdict ?? DBNull.Value;
                }

                MeasurementStore.Parameter(update, "@device").Value = deviceId;
                MeasurementStore.Parameter(update, "@version").Value = version;
                return await update.ExecuteNonQueryAsync(token).ConfigureAwait(false) == 1
                    ? 0
                    : throw new InvalidOperationException(
                        $"Field ledger: version {version} of '{deviceId}' is not recorded.");
            },
            cancellationToken);

    private static async Task<FieldVersionRecord?> ReadVersionAsync(
        DbConnection connection, string deviceId, int version, CancellationToken cancellationToken)
    {
        await using var select = Command(connection, """
            SELECT sha256, state, verdict, package_path, drift_baseline, at_ms, accuracy_baseline FROM field_versions
            WHERE device_id = @device AND version = @version
            """);
        MeasurementStore.Parameter(select, "@device").Value = deviceId;
        MeasurementStore.Parameter(select, "@version").Value = version;
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return new FieldVersionRecord(
            version,
            reader.IsDBNull(0) ? null : reader.GetString(0),
            Enum.Parse<FieldVersionState>(reader.GetString(1), ignoreCase: true),
            reader.IsDBNull(2) ? null : reader.GetString(2),
            reader.IsDBNull(3) ? null : reader.GetString(3),
            reader.IsDBNull(4) ? null : reader.GetDouble(4),
            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)))
        {
            AccuracyBaseline = reader.IsDBNull(6) ? null : reader.GetDouble(6),
        };
    }

    private static async Task<FieldDeviceRecord> ReadDeviceAsync(
        DbConnection connection, string deviceId, CancellationToken cancellationToken)
    {
        await using var select = Command(connection, """
            SELECT last_session_ms, last_reason, last_outcome, last_detail, last_completed_ms, refused_version,
                   refused_rise, requested_ms, refusals, refused_drop, accuracy_reference, reference_version,
                   recovery_sessions
            FROM field_devices WHERE device_id = @device
            """);
        MeasurementStore.Parameter(select, "@device").Value = deviceId;
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return FieldDeviceRecord.Empty;
        }

        return new FieldDeviceRecord(
            Time(reader, 0),
            reader.IsDBNull(1) ? null : reader.GetString(1),
            reader.IsDBNull(2) ? null : Enum.Parse<FieldSessionOutcome>(reader.GetString(2), ignoreCase: true),
            reader.IsDBNull(3) ? null : reader.GetString(3),
            Time(reader, 4),
            reader.IsDBNull(5) ? null : reader.GetInt32(5),
            reader.IsDBNull(6) ? null : reader.GetDouble(6),
            Time(reader, 7))
        {
            Refusals = reader.GetInt32(8),
            RefusedDrop = reader.IsDBNull(9) ? null : reader.GetDouble(9),
            AccuracyReference = reader.IsDBNull(10) ? null : reader.GetDouble(10),
            ReferenceVersion = reader.IsDBNull(11) ? null : reader.GetInt32(11),
            RecoverySessions = reader.GetInt32(12),
        };

        static DateTimeOffset? Time(DbDataReader reader, int column) =>
            reader.IsDBNull(column) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(column));
    }

    private static async Task WriteDeviceAsync(
        DbConnection connection, string deviceId, FieldDeviceRecord record, CancellationToken cancellationToken)
    {
        await using var upsert = Command(connection, """
            INSERT INTO field_devices(device_id, last_session_ms, last_reason, last_outcome, last_detail,
                                      last_completed_ms, refused_version, refused_rise, requested_ms, refusals,
                                      refused_drop, accuracy_reference, reference_version, recovery_sessions)
            VALUES (@device, @session, @reason, @outcome, @detail, @completed, @refused, @rise, @requested,
                    @refusals, @refused_drop, @reference, @reference_version, @recovery)
            ON CONFLICT(device_id) DO UPDATE SET
                last_session_ms = excluded.last_session_ms, last_reason = excluded.last_reason,
                last_outcome = excluded.last_outcome, last_detail = excluded.last_detail,
                last_completed_ms = excluded.last_completed_ms, refused_version = excluded.refused_version,
                refused_rise = excluded.refused_rise, requested_ms = excluded.requested_ms,
                refusals = excluded.refusals, refused_drop = excluded.refused_drop,
                accuracy_reference = excluded.accuracy_reference, reference_version = excluded.reference_version,
                recovery_sessions = excluded.recovery_sessions
            """);
        MeasurementStore.Parameter(upsert, "@device").Value = deviceId;
        Set("@session", record.LastSession?.ToUnixTimeMilliseconds());
        Set("@reason", record.LastReason);
        Set("@outcome", record.LastOutcome?.ToString().ToLowerInvariant());
        Set("@detail", record.LastDetail);
        Set("@completed", record.LastCompleted?.ToUnixTimeMilliseconds());
        Set("@refused", record.RefusedVersion);
        Set("@rise", record.RefusedRise);
        Set("@requested", record.Requested?.ToUnixTimeMilliseconds());
        Set("@refusals", record.Refusals);
        Set("@refused_drop", record.RefusedDrop);
        Set("@reference", record.AccuracyReference);
        Set("@reference_version", record.ReferenceVersion);
        Set("@recovery", record.RecoverySessions);
        await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);

        void Set(string name, object? value) => MeasurementStore.Parameter(upsert, name).Value = value ?? DBNull.Value;
    }

    private static DbCommand Command(DbConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }
}
