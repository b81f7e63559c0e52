using System.Runtime.InteropServices;
using Edge.Domain.Messaging;
using Npgsql;
using NpgsqlTypes;

namespace Edge.Trainer.Live;

/// <summary>
/// Inserts measurements into PostgreSQL by binary <c>COPY</c> into a session-local staging table, then one
/// statement that empties it into <c>measurements</c> with <c>ON CONFLICT (id) DO NOTHING</c>: COPY is the fastest way
/// into the
/// server but cannot skip duplicates, the INSERT can. Concurrent writers of the same ids are safe (the second waits for
/// the first to commit and then inserts nothing). Float columns go through one reused byte buffer: no per-row
/// allocation.
/// </summary>
internal sealed class PostgresMeasurementWriter
{
    private const string Staging = "measurements_incoming";
    private byte[] _scratch = new byte[256];

    /// <summary>Creates the staging table in the session; call once per (re)opened connection.</summary>
    public static async Task PrepareSessionAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var create = connection.CreateCommand();
        create.CommandText =
            $"CREATE TEMP TABLE IF NOT EXISTS {Staging}(id BYTEA NOT NULL, ts_ms BIGINT NOT NULL, inputs BYTEA NOT "
                + "NULL, drives BYTEA NOT NULL, responses BYTEA NOT NULL) ON COMMIT DELETE ROWS";
        await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Inserts <paramref name="batch"/> within the connection's open transaction; returns how many ids were
    /// new.</summary>
    public async Task<int> InsertAsync(NpgsqlConnection connection, string deviceId, MeasurementBatch batch,
        CancellationToken cancellationToken)
    {
        await using (var copy =
            await
                connection.BeginBinaryImportAsync($"COPY {Staging}(id, ts_ms, inputs, drives, responses) FROM STDIN "
                    + "(FORMAT BINARY)", cancellationToken).ConfigureAwait(false))
        {
            // Synchronous writes: they only copy into the importer's buffer (a full buffer is sent inline), and five
            // awaited calls per measurement cost more CPU than the COPY itself.
            for (var i = 0; i < batch.Count; i++)
            {
                copy.StartRow();
                copy.Write(Segment(batch.Ids[i]), NpgsqlDbType.Bytea);
                copy.Write(batch.Timestamps[i], NpgsqlDbType.Bigint);
                copy.Write(Segment(batch.Inputs.AsSpan(i * batch.InputSize, batch.InputSize)), NpgsqlDbType.Bytea);
                copy.Write(Segment(batch.Drives.AsSpan(i * batch.DriveLength, batch.DriveLength)), NpgsqlDbType.Bytea);
                copy.Write(Segment(batch.Responses.AsSpan(i * batch.OutputSize, batch.OutputSize)), NpgsqlDbType.Bytea);
            }

            await copy.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }

        await using var insert = connection.CreateCommand();
        insert.CommandText = $"""
            WITH moved AS (DELETE FROM {Staging} RETURNING *)
            INSERT INTO measurements(
                id, device_id, ts_ms, input_size, drive_length, output_size, inputs, drives, responses)
            SELECT id, @device, ts_ms, @ni, @nd, @no, inputs, drives, responses FROM moved
            ON CONFLICT (id) DO NOTHING
            """;
        insert.Parameters.AddWithValue("device", deviceId);
        insert.Parameters.AddWithValue("ni", batch.InputSize);
        insert.Parameters.AddWithValue("nd", batch.DriveLength);
        insert.Parameters.AddWithValue("no", batch.OutputSize);
        return await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    // The importer serialises a value into its own buffer before Write returns, so one scratch buffer serves every
    // value.
    private ArraySegment<byte> Segment(Guid id)
    {
        id.TryWriteBytes(_scratch);
        return new ArraySegment<byte>(_scratch, 0, 16);
    }

    private ArraySegment<byte> Segment(ReadOnlySpan<float> values)
    {
        var bytes = MemoryMarshal.AsBytes(values);
        if (bytes.Length > _scratch.Length)
        {
            _scratch = new byte[bytes.Length];
        }

        bytes.CopyTo(_scratch);
        return new ArraySegment<byte>(_scratch, 0, bytes.Length);
    }
}
