using System.Globalization;
using System.Text;

namespace Edge.Domain.Models;

/// <summary>
/// The labelled examples an agent validates a candidate model on before activating it. File format: UTF-8 CSV, a
/// header <c>label,f1,…,fN</c>, then one example per line: the class name and N invariant-culture floats. The
/// package manifest carries the SHA-256 of the exact file bytes, so agent and trainer provably use the same set.
/// </summary>
public sealed class CalibrationSet
{
    private CalibrationSet(IReadOnlyList<string> labels, float[] features, int featureCount, string sha256)
    {
        Labels = labels;
        Features = features;
        FeatureCount = featureCount;
        Sha256 = sha256;
    }

    /// <summary>Class name of each example.</summary>
    public IReadOnlyList<string> Labels { get; }

    /// <summary>Features per example.</summary>
    public int FeatureCount { get; }

    /// <summary>SHA-256 (lower-case hex) of the file bytes.</summary>
    public string Sha256 { get; }

    /// <summary>Number of examples.</summary>
    public int Count => Labels.Count;

    private float[] Features { get; }

    /// <summary>Features of example <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> Row(int index) => Features.AsSpan(index * FeatureCount, FeatureCount);

    /// <summary>Reads <paramref name="path"/>; a missing file or malformed line is an <see
    /// cref="InvalidDataException"/> naming it.</summary>
    public static CalibrationSet Load(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"Cannot read calibration set '{path}': {e.Message}", e);
        }

        return Parse(bytes, path);
    }

    /// <summary>Parses the file content; <paramref name="source"/> names it in errors.</summary>
    public static CalibrationSet Parse(byte[] content, string source)
    {
        ArgumentNullException.ThrowIfNull(content);
        var lines = Encoding.UTF8.GetString(content).Split('\n');
        var header = lines[0].TrimEnd('\r').Split(',');
        if (header.Length < 2 || header[0] != "label")
        {
            throw new InvalidDataException($"{source}:1: expected a header 'label,f1,...,fN'.");
        }

        var featureCount = header.Length - 1;
        var labels = new List<string>();
        var features = new List<float>();
        for (var i = 1; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.Length == 0)
            {
                continue;
            }

            var fields = line.Split(',');
            if (fields.Length != featureCount + 1 || fields[0].Length == 0)
            {
                throw new
                    InvalidDataException($"{source}:{i + 1}: expected a class name and {featureCount} features, found "
                        + $"{fields.Length} fields.");
            }

            labels.Add(fields[0]);
            for (var f = 1; f < fields.Length; f++)
            {
                if (!float.TryParse(fields[f], NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
                    || !float.IsFinite(value))
                {
                    throw new
                        InvalidDataException($"{source}:{i + 1}: field {f + 1} '{fields[f]}' is not a finite number.");
                }

                features.Add(value);
            }
        }

        if (labels.Count == 0)
        {
            throw new InvalidDataException($"{source}: holds no examples.");
        }

        return new CalibrationSet(labels, [.. features], featureCount, PackageSigning.Sha256Hex(content));
    }

    /// <summary>Formats examples as a calibration file (the trainer writes it; the agent keeps it).</summary>
    public static byte[] Format(IReadOnlyList<string> labels, ReadOnlySpan<float> features, int featureCount)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var text = new StringBuilder("label");
        for (var f = 1; f <= featureCount; f++)
        {
            text.Append(CultureInfo.InvariantCulture, $",f{f}");
        }

        text.Append('\n');
        for (var i = 0; i < labels.Count; i++)
        {
            text.Append(labels[i]);
            foreach (var value in features.Slice(i * featureCount, featureCount))
            {
                text.Append(',').Append(value.ToString("R", CultureInfo.InvariantCulture));
            }

            text.Append('\n');
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }
}
