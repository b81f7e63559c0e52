using System.Runtime.InteropServices;
using Edge.Domain.Messaging;
using Microsoft.Data.Sqlite;

namespace Edge.Tests.Shared.Faults;

/// <summary>What the trainer's store holds of one agent's tagged drives: distinct tags and extra copies.</summary>
/// <param name="Tags">Distinct tags stored.</param>
/// <param name="Rows">Stored measurements (a drive played twice is stored twice, under two ids).</param>
public sealed record StoredTags(HashSet<int> Tags, int Rows)
{
    /// <summary>Reads the tags of <paramref name="deviceId"/> from the SQLite store (read-only, beside the writer).
    /// </summary>
    public static StoredTags Read(string storePath, string deviceId)
    {
        var tags = new HashSet<int>();
        if (!File.Exists(storePath))
        {
            return new StoredTags(tags, 0);
        }

        var rows = 0;
        var source = new SqliteConnectionStringBuilder { DataSource = storePath, Mode = SqliteOpenMode.ReadOnly };
        using var connection = new SqliteConnection(source.ToString());
        connection.Open();
        using var busy = connection.CreateCommand();
        busy.CommandText = "PRAGMA busy_timeout = 5000";
        busy.ExecuteNonQuery();
        using var exists = connection.CreateCommand();
        exists.CommandText = "SELECT count(*) FROM sqlite_master WHERE name = 'measurements'";
        if (Convert.ToInt64(exists.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) == 0)
        {
            return new StoredTags(tags, 0);
        }

        using var select = connection.CreateCommand();
        select.CommandText = "SELECT drive_length, drives FROM measurements WHERE device_id = $device";
        select.Parameters.AddWithValue("$device", deviceId);
        using var reader = select.ExecuteReader();
        while (reader.Read())
        {
            var length = reader.GetInt32(0);
            var drives = MemoryMarshal.Cast<byte, float>((byte[])reader[1]);
            for (var at = 0; at + length <= drives.Length; at += length)
            {
                tags.Add(PatDriver.ReadTag(drives.Slice(at, length)));
                rows++;
            }
        }

        return new StoredTags(tags, rows);
    }

    /// <summary>
    /// The tags of the measurements still waiting in an agent's outbox (not yet acknowledged by the trainer), read
    /// beside the running agent; empty when the file is missing or unreadable.
    /// </summary>
    public static HashSet<int> Pending(string outboxPath)
    {
        var tags = new HashSet<int>();
        if (!File.Exists(outboxPath))
        {
            return tags;
        }

        try
        {
            var source = new SqliteConnectionStringBuilder { DataSource = outboxPath, Mode = SqliteOpenMode.ReadOnly };
            using var connection = new SqliteConnection(source.ToString());
            connection.Open();
            using var select = connection.CreateCommand();
            select.CommandText = "SELECT payload FROM outbox WHERE is_measurement = 1";
            using var reader = select.ExecuteReader();
            while (reader.Read())
            {
                var batch = MeasurementBatch.Decode((byte[])reader[0]);
                for (var at = 0; at + batch.DriveLength <= batch.Drives.Length; at += batch.DriveLength)
                {
                    tags.Add(PatDriver.ReadTag(batch.Drives.AsSpan(at, batch.DriveLength)));
                }
            }
        }
        catch (Exception e) when (e is SqliteException or MessageFormatException)
        {
            // A corrupt or half-written outbox holds nothing this count can use.
        }

        return tags;
    }
}
