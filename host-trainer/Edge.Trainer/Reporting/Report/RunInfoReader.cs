using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Edge.Trainer.Reporting.Report;

/// <summary>Reads the <c>run</c> block (<see cref="BenchRunInfo"/>) and BenchmarkDotNet's host information.</summary>
internal static class RunInfoReader
{
    public static RunInfo? Read(JsonObject json, JsonFields fields)
    {
        if (JsonFields.Find(json, BenchRunInfo.Key) is null)
        {
            return null;
        }

        var run = fields.Object(json, BenchRunInfo.Key);
        var machine = JsonFields.Find(run, "machine") is JsonObject m
            ? new MachineInfo(fields.String(m, "cpu"), (int)fields.Integer(m, "cores"), fields.String(m, "os"),
                fields.String(m, "dotnet"))
            : null;
        IReadOnlyList<double>? load = null;
        if (JsonFields.Find(run, "machine") is JsonObject withLoad && JsonFields.Find(withLoad, "load_average")
            is JsonArray values)
        {
            load = [.. values.Select(v => fields.NumberOf(v, "run.machine.load_average"))];
        }

        return new RunInfo(Command(run, fields), fields.OptionalString(run, "timestamp_utc"),
            fields.OptionalString(run, "profile"), machine, load, fields.OptionalString(run, "source"));
    }

    /// <summary>Machine and start time from a BenchmarkDotNet export (its title ends with -yyyyMMdd-HHmmss, local time
    /// of the run).</summary>
    public static RunInfo FromBenchmarkDotNet(JsonObject json, JsonFields fields, RunInfo? stamped)
    {
        var host = fields.Object(json, "HostEnvironmentInfo");
        var machine = new MachineInfo(
            fields.String(host, "ProcessorName"),
            (int)fields.Integer(host, "LogicalCoreCount"),
            fields.String(host, "OsVersion"),
            fields.String(host, "RuntimeVersion"));
        var title = fields.String(json, "Title");
        var timestamp = stamped?.TimestampUtc;
        if (timestamp is null && title.Length > 16
            && DateTime.TryParseExact(title[^15..], "yyyyMMdd-HHmmss", CultureInfo.InvariantCulture,
                DateTimeStyles.None, out var started))
        {
            timestamp = started.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
        }

        return new RunInfo(stamped?.Command, timestamp, stamped?.Profile, stamped?.Machine ?? machine,
            stamped?.LoadAverage, stamped?.Source);
    }

    private static string? Command(JsonObject run, JsonFields fields)
    {
        if (fields.OptionalString(run, "command") is { } command)
        {
            return command;
        }

        if (JsonFields.Find(run, "arguments") is not JsonArray arguments)
        {
            return null;
        }

        var text = new StringBuilder("dotnet run -c Release");
        if (fields.OptionalString(run, "project") is { } project)
        {
            text.Append(" --project ").Append(Quote(project));
        }

        text.Append(" --");
        foreach (var argument in arguments)
        {
            text.Append(' ')
                .Append(Quote(argument?.GetValue<string>() ?? throw fields.Bad("run.arguments", "holds a null")));
        }

        return text.ToString();
    }

    // Shell-quote only what a shell would split or expand, so the usual command stays readable.
    private static string Quote(string argument)
        => argument.Length > 0
            && argument.All(c => char.IsAsciiLetterOrDigit(c) || "-_./,:=+@%".Contains(c, StringComparison.Ordinal))
            ? argument
            : $"'{argument.Replace("'", "'\\''", StringComparison.Ordinal)}'";
}
