using System.Data.Common;

namespace Edge.Trainer.Live.Commissioning;

/// <summary>
/// Which agents the trainer commissioned, kept in the measurement store's database (table
/// <c>field_commissioning</c>) so that a restarted trainer does not commission a part twice, and a refused or failed
/// commissioning waits out its backoff instead of looping.
/// </summary>
public sealed class CommissioningLedger(MeasurementStore store)
{
    private readonly MeasurementStore _store = store ?? throw new ArgumentNullException(nameof(store));

    /// <summary>The record of <paramref name="deviceId"/>, or null when it was never commissioned.</summary>
    public Task<CommissioningRecord?> FindAsync(string deviceId, CancellationToken cancellationToken = default) =>
        _store.UseAsync((connection, token) => ReadAsync(connection, deviceId, token), cancellationToken);

    /// <summary>Every record, by device id.</summary>
    public Task<IReadOnlyList<CommissioningRecord>> AllAsync(CancellationToken cancellationToken = default) =>
        _store.UseAsync<IReadOnlyList<CommissioningRecord>>(
            async (connection, token) =>
            {
                await using var select = Command(connection, Select + " ORDER BY device_id");
                await using var reader = await select.ExecuteReaderAsync(token).ConfigureAwait(false);
                var records = new List<CommissioningRecord>();
                while (await reader.ReadAsync(token).ConfigureAwait(false))
                {
                    records.Add(Read(reader));
                }

                return records;
            },
            cancellationToken);

    /// <summary>
    /// Records one attempt: its outcome, and (unless it succeeded) when the next may start; the attempt count grows.
    /// </summary>
    public Task<CommissioningRecord> RecordAsync(
        string deviceId, CommissioningAttempt attempt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        return _store.UseAsync(
            async (connection, token) =>
            {
                var attempts = (await ReadAsync(connection, deviceId, token).ConfigureAwait(false))?.Attempts ?? 0;
                await using var upsert = Command(connection, """
                    INSERT INTO field_commissioning(device_id, state, attempts, last_attempt_ms, next_attempt_ms,
                                                    version, detail, accuracy_before, accuracy_after, seconds)
                    VALUES (@device, @state, @attempts, @at, @next, @version, @detail, @before, @after, @seconds)
                    ON CONFLICT(device_id) DO UPDATE SET
                        state = excluded.state, attempts = excluded.attempts,
                        last_attempt_ms = excluded.last_attempt_ms, next_attempt_ms = excluded.next_attempt_ms,
                        version = excluded.version, detail = excluded.detail,
                        accuracy_before = excluded.accuracy_before, accuracy_after = excluded.accuracy_after,
                        seconds = excluded.seconds
                    """);
                Set("@device", deviceId);
                Set("@state", Name(attempt.State));
                Set("@attempts", attempts + 1);
                Set("@at", attempt.At.ToUnixTimeMilliseconds());
                Set("@next", attempt.NextAttempt?.ToUnixTimeMilliseconds());
                Set("@version", attempt.Version);
                Set("@detail", attempt.Detail);
                Set("@before", attempt.AccuracyBefore);
                Set("@after", attempt.AccuracyAfter);
                Set("@seconds", attempt.Seconds);
                await upsert.ExecuteNonQueryAsync(token).ConfigureAwait(false);
                return await ReadAsync(connection, deviceId, token).ConfigureAwait(false)
                    ?? throw new InvalidOperationException($"Commissioning ledger: '{deviceId}' was not stored.");

                void Set(string name, object? value) =>
                    MeasurementStore.Parameter(upsert, name).Value = value ?? DBNull.Value;
            },
            cancellationToken);
    }

    /// <summary>The label of <paramref name="state"/> in the store.</summary>
    public static string Name(CommissioningState state) => state.ToString().ToLowerInvariant();

    private const string Select = """
        SELECT device_id, state, attempts, last_attempt_ms, next_attempt_ms, version, detail, accuracy_before,
               accuracy_after, seconds
        FROM field_commissioning
        """;

    private static async Task<CommissioningRecord?> ReadAsync(
        DbConnection connection, string deviceId, CancellationToken cancellationToken)
    {
        await using var select = Command(connection, Select + " WHERE device_id = @device");
        MeasurementStore.Parameter(select, "@device").Value = deviceId;
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? Read(reader) : null;
    }

    private static CommissioningRecord Read(DbDataReader reader) => new(
        reader.GetString(0),
        Enum.Parse<CommissioningState>(reader.GetString(1), ignoreCase: true),
        reader.GetInt32(2),
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
        reader.IsDBNull(4) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
        reader.IsDBNull(5) ? null : reader.GetInt32(5),
        reader.IsDBNull(6) ? null : reader.GetString(6),
        reader.IsDBNull(7) ? null : reader.GetDouble(7),
        reader.IsDBNull(8) ? null : reader.GetDouble(8),
        reader.IsDBNull(9) ? null : reader.GetDouble(9));

    private static DbCommand Command(DbConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }
}

/// <summary>Where the commissioning of one agent stands.</summary>
public enum CommissioningState
{
    /// <summary>The agent accepted the package made for its part: it is never commissioned again.</summary>
    Commissioned,

    /// <summary>The agent refused the package (e.g. no better than what it runs); retried after a backoff.</summary>
    Refused,

    /// <summary>The attempt did not complete (agent gone, broker down, no verdict); retried after a backoff.</summary>
    Failed,
}

/// <summary>One attempt to record.</summary>
/// <param name="State">How it ended.</param>
/// <param name="At">When it ended.</param>
/// <param name="NextAttempt">When the next attempt may start (null: never, it succeeded).</param>
/// <param name="Version">The version offered, if it came that far.</param>
/// <param name="Detail">The agent's verdict or the failure, in words.</param>
/// <param name="AccuracyBefore">Test accuracy of the product-line model on this part, before.</param>
/// <param name="AccuracyAfter">Test accuracy after the fine-tune, on this part.</param>
/// <param name="Seconds">Wall time of the attempt.</param>
public sealed record CommissioningAttempt(
    CommissioningState State,
    DateTimeOffset At,
    DateTimeOffset? NextAttempt,
    int? Version,
    string? Detail,
    double? AccuracyBefore,
    double? AccuracyAfter,
    double? Seconds);

/// <summary>The commissioning of one agent as the ledger keeps it.</summary>
/// <param name="DeviceId">The agent's device id.</param>
/// <param name="State">How the last attempt ended.</param>
/// <param name="Attempts">Attempts so far.</param>
/// <param name="LastAttempt">When the last attempt ended.</param>
/// <param name="NextAttempt">When the next may start (null once commissioned).</param>
/// <param name="Version">The version offered last.</param>
/// <param name="Detail">The verdict or failure in words.</param>
/// <param name="AccuracyBefore">Test accuracy before, on this part.</param>
/// <param name="AccuracyAfter">Test accuracy after, on this part.</param>
/// <param name="Seconds">Wall time of the last attempt.</param>
public sealed record CommissioningRecord(
    string DeviceId,
    CommissioningState State,
    int Attempts,
    DateTimeOffset LastAttempt,
    DateTimeOffset? NextAttempt,
    int? Version,
    string? Detail,
    double? AccuracyBefore,
    double? AccuracyAfter,
    double? Seconds);
