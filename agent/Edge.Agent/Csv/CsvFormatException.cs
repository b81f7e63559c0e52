namespace Edge.Agent.Csv;

/// <summary>A CSV line could not be read; the message names the file, the line and (where known) the field.</summary>
public sealed class CsvFormatException : Exception
{
    /// <summary>Creates the exception for <paramref name="source"/>:<paramref name="line"/>, field <paramref
    /// name="field"/> (1-based, or null for the whole line).</summary>
    public CsvFormatException(string source, int line, int? field, string problem)
        : base(field is null ? $"{source}:{line}: {problem}" : $"{source}:{line}: field {field}: {problem}")
    {
        Source = source;
        Line = line;
        Field = field;
    }

    /// <summary>The file (or stream name) that was read.</summary>
    public new string Source { get; }

    /// <summary>1-based line number.</summary>
    public int Line { get; }

    /// <summary>1-based field number, or null when the whole line is wrong.</summary>
    public int? Field { get; }
}
