using System.Runtime.InteropServices;
using Edge.Domain.Messaging;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Edge.Trainer.Live;

/// <summary>
/// Inserts measurements into SQLite through one statement prepared once per connection on the connection's native
/// handle, bound by index straight from the batch's arrays: Microsoft.Data.Sqlite's ADO.NET layer looks every
/// parameter up by name and boxes every value on each execution, which cost more than SQLite's own insert. Storing a
/// measurement allocates nothing (SQLite copies bound blobs, <c>SQLITE_TRANSIENT</c>). Runs inside the caller's
/// transaction.
/// </summary>
internal sealed class SqliteMeasurementWriter : IDisposable
{
    private const int Id = 1, Device = 2, Timestamp = 3, InputSize = 4, DriveLength = 5, OutputSize = 6, Inputs = 7,
        Drives = 8, Responses = 9;
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _insert;

    public SqliteMeasurementWriter(SqliteConnection connection)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("The SQLite connection is not open.");
        Check(raw.sqlite3_prepare_v2(
            _db,
            "INSERT INTO measurements(id, device_id, ts_ms, input_size, drive_length, output_size, inputs, drives, "
                + "responses) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (id) DO NOTHING",
            out _insert));
    }

    /// <summary>Inserts <paramref name="batch"/> (the caller holds a transaction); returns how many ids were
    /// new.</summary>
    public int Insert(string deviceId, MeasurementBatch batch)
    {
        Check(raw.sqlite3_bind_text(_insert, Device, deviceId));
        Check(raw.sqlite3_bind_int(_insert, InputSize, batch.InputSize));
        Check(raw.sqlite3_bind_int(_insert, DriveLength, batch.DriveLength));
        Check(raw.sqlite3_bind_int(_insert, OutputSize, batch.OutputSize));
        Span<byte> id = stackalloc byte[16];
        var added = 0;
        try
        {
            for (var i = 0; i < batch.Count; i++)
            {
                batch.Ids[i].TryWriteBytes(id);
                Check(raw.sqlite3_bind_blob(_insert, Id, id));
                Check(raw.sqlite3_bind_int64(_insert, Timestamp, batch.Timestamps[i]));
                Check(raw.sqlite3_bind_blob(_insert, Inputs,
                    MemoryMarshal.AsBytes(batch.Inputs.AsSpan(i * batch.InputSize, batch.InputSize))));
                Check(raw.sqlite3_bind_blob(_insert, Drives,
                    MemoryMarshal.AsBytes(batch.Drives.AsSpan(i * batch.DriveLength, batch.DriveLength))));
                Check(raw.sqlite3_bind_blob(_insert, Responses,
                    MemoryMarshal.AsBytes(batch.Responses.AsSpan(i * batch.OutputSize, batch.OutputSize))));
                var step = raw.sqlite3_step(_insert);
                if (step != raw.SQLITE_DONE)
                {
                    Check(step);
                }

                added += raw.sqlite3_changes(_db);
                raw.sqlite3_reset(_insert);
            }
        }
        finally
        {
            // A failed step leaves the statement needing a reset before the next batch (after the rollback).
            raw.sqlite3_reset(_insert);
        }

        return added;
    }

    public void Dispose() => _insert.Dispose();

    private void Check(int result)
    {
        if (result is not (raw.SQLITE_OK or raw.SQLITE_DONE or raw.SQLITE_ROW))
        {
            throw new SqliteException($"SQLite error {result}: {raw.sqlite3_errmsg(_db).utf8_to_string()}", result);
        }
    }
}
