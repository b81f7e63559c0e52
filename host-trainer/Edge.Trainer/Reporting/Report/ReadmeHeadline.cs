namespace Edge.Trainer.Reporting.Report;

/// <summary>Replaces the text between <c>&lt;!-- bench:begin --&gt;</c> and <c>&lt;!-- bench:end --&gt;</c> in the
/// README.</summary>
public static class ReadmeHeadline
{
    /// <summary>Start marker.</summary>
    public const string Begin = "<!-- bench:begin -->";

    /// <summary>End marker.</summary>
    public const string End = "<!-- bench:end -->";

    /// <summary>
    /// <paramref name="readme"/> with the block between the markers replaced by <paramref name="block"/>; replacing
    /// twice gives the same text. Throws naming <paramref name="name"/> if a marker is missing, repeated or out of
    /// order.
    /// </summary>
    public static string Replace(string readme, string block, string name)
    {
        ArgumentNullException.ThrowIfNull(readme);
        ArgumentNullException.ThrowIfNull(block);
        var begin = Single(readme, Begin, name);
        var end = Single(readme, End, name);
        if (end < begin)
        {
            throw new
                BenchDataException($"{name}: '{End}' comes before '{Begin}'; put the headline table between them.");
        }

        return $"{readme[..(begin + Begin.Length)]}\n{block.Trim('\n')}\n{readme[end..]}";
    }

    private static int Single(string readme, string marker, string name)
    {
        var at = readme.IndexOf(marker, StringComparison.Ordinal);
        if (at < 0)
        {
            throw new
                BenchDataException($"{name}: the marker '{marker}' is missing; the headline table goes between "
                    + $"'{Begin}' and '{End}'.");
        }

        if (readme.IndexOf(marker, at + marker.Length, StringComparison.Ordinal) >= 0)
        {
            throw new BenchDataException($"{name}: the marker '{marker}' appears more than once.");
        }

        return at;
    }
}
