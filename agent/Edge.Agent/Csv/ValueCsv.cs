using System.Globalization;
using System.Text;
using Edge.Domain.IO;

namespace Edge.Agent.Csv;

/// <summary>
/// Rows of a fixed number of floats, comma-separated, invariant culture, one row per line (drives in, responses out).
/// Blank lines are skipped; everything else must parse, or a <see cref="CsvFormatException"/> names file, line and
/// field.
/// </summary>
public static class ValueCsv
{
    /// <summary>Reads every row of <paramref name="path"/>, row-major, each of <paramref name="valuesPerRow"/> finite
    /// floats.</summary>
    public static float[] Read(string path, int valuesPerRow)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        return Read(reader, path, valuesPerRow);
    }

    /// <summary>Reads every row from <paramref name="reader"/>; <paramref name="sourceName"/> appears in error
    /// messages.</summary>
    public static float[] Read(TextReader reader, string sourceName, int valuesPerRow)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(valuesPerRow);
        var values = new List<float>();
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            ReadRow(line, sourceName, lineNumber, valuesPerRow, values);
        }

        if (values.Count == 0)
        {
            throw new CsvFormatException(sourceName, Math.Max(lineNumber, 1), null,
                $"contains no rows; expected lines of {valuesPerRow} comma-separated numbers.");
        }

        return [.. values];
    }

    /// <summary>Writes <paramref name="values"/> as rows of <paramref name="valuesPerRow"/>, each value in its shortest
    /// round-trip form.</summary>
    public static void Write(TextWriter writer, ReadOnlySpan<float> values, int valuesPerRow)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(valuesPerRow);
        if (values.Length % valuesPerRow != 0)
        {
            throw new ArgumentException($"{values.Length} values is not a whole number of {valuesPerRow}-value rows.",
                nameof(values));
        }

        Span<char> buffer = stackalloc char[32];
        for (var i = 0; i < values.Length; i++)
        {
            values[i].TryFormat(buffer, out var written, default, CultureInfo.InvariantCulture);
            writer.Write(buffer[..written]);
            writer.Write((i + 1) % valuesPerRow == 0 ? '\n' : ',');
        }
    }

    /// <summary>
    /// Writes the rows to a temporary file beside <paramref name="path"/>, flushes it to disk and renames it over
    /// <paramref name="path"/>, so a reader never sees a half-written file and a failure leaves the old file as it was.
    /// </summary>
    public static void WriteAtomically(string path, float[] values, int valuesPerRow)
        => AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
                leaveOpen: true);
            Write(writer, values, valuesPerRow);
        });

    private static void ReadRow(string line, string sourceName, int lineNumber, int valuesPerRow, List<float> values)
    {
        var text = line.AsSpan();
        var count = text.Count(',') + 1;
        if (count != valuesPerRow)
        {
            throw new CsvFormatException(sourceName, lineNumber, null,
                $"expected {valuesPerRow} comma-separated values, found {count}.");
        }

        var field = 0;
        foreach (var range in text.Split(','))
        {
            field++;
            var token = text[range].Trim();
            if (!float.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                throw new CsvFormatException(sourceName, lineNumber, field,
                    $"'{token}' is not a number (use invariant culture: a '.' decimal point, e.g. -0.25).");
            }

            if (!float.IsFinite(value))
            {
                throw new CsvFormatException(sourceName, lineNumber, field,
                    $"'{token}' is not a finite single-precision number.");
            }

            values.Add(value);
        }
    }
}
