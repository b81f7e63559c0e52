using System.Globalization;

namespace Edge.Trainer.Reporting.Report;

/// <summary>Number, date and label formatting shared by the report's sections (invariant culture throughout).</summary>
internal static class ReportFormat
{
    /// <summary>Shown for a figure the data does not record or a mode that was not run.</summary>
    public const string None = "–";

    public static string Percent(double? value) => value is { } v ? v.ToString("P1", CultureInfo.InvariantCulture)
        : None;

    public static string Fixed(double? value, int digits) => value is { } v
        ? v.ToString("F" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : None;

    public static string Count(double? value) => value is { } v ? v.ToString("N0", CultureInfo.InvariantCulture) : None;

    /// <summary>A duration in the unit that keeps three significant digits readable.</summary>
    public static string Nanoseconds(double? value) => value switch
    {
        null => "failed",
        < 1_000 => $"{Fixed(value, 1)} ns",
        < 1_000_000 => $"{Fixed(value / 1_000, 2)} µs",
        < 1_000_000_000 => $"{Fixed(value / 1_000_000, 2)} ms",
        _ => $"{Fixed(value / 1_000_000_000, 2)} s",
    };

    public static string Bytes(double? value) => value switch
    {
        null => None,
        < 1024 => $"{Fixed(value, 0)} B",
        < 1024 * 1024 => $"{Fixed(value / 1024, 1)} KiB",
        _ => $"{Fixed(value / (1024 * 1024), 1)} MiB",
    };

    /// <summary>Resident memory in decimal megabytes, as <c>ps</c> and GNU time users quote it.</summary>
    public static string Megabytes(double? bytes) => bytes is { } b ? $"{Fixed(b / 1e6, 1)} MB" : None;

    /// <summary>The median of the values present (the mean of the middle two for an even count); null when none.
    /// </summary>
    public static double? Median(IEnumerable<double?> values)
    {
        var sorted = values.OfType<double>().Order().ToList();
        return sorted.Count == 0 ? null
            : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2]
            : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>An ISO 8601 timestamp as "yyyy-MM-dd HH:mm" (plus "UTC" when it was recorded in UTC).</summary>
    public static string Date(string? timestamp)
    {
        if (timestamp is null)
        {
            return "date not recorded";
        }

        var utc = timestamp.EndsWith('Z');
        var text = timestamp.TrimEnd('Z').Replace('T', ' ');
        return (text.Length > 16 ? text[..16] : text) + (utc ? " UTC" : string.Empty);
    }

    /// <summary>A label after a figure that says it is not a full-profile, bench-written measurement.</summary>
    public static string Tag(RunInfo? run)
    {
        if (run?.Profile is { } profile && !profile.Equals("full", StringComparison.OrdinalIgnoreCase))
        {
            return $" *({profile})*";
        }

        return run?.Source is not null ? " *(recovered)*" : string.Empty;
    }
}
