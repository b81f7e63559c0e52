using System.Text.Json;
using Edge.Agent.Csv;
using Edge.Agent.Inference;
using Edge.Domain.Audio;

namespace Edge.Agent.Commands;

/// <summary>
/// Reads examples from CSV or JSON feature files and WAV recordings (or a directory of them), each named by file and
/// row. WAV files need a model with audio input (an <see cref="AudioFeatures"/> encoder).
/// </summary>
internal static class FeatureFiles
{
    /// <summary>Extensions read, lower-case.</summary>
    public static IReadOnlyList<string> Extensions { get; } = [".csv", ".json", ".wav"];

    public static List<(string Source, float[] Features)> Read(string path, int size, AudioFeatures? audio)
    {
        if (!Directory.Exists(path) && !File.Exists(path))
        {
            throw new FileNotFoundException(
                $"'{path}' does not exist: give a .csv, .json or .wav file, or a directory of them.", path);
        }

        var files = Directory.Exists(path) ? Listed(path) : [path];
        if (files.Count == 0)
        {
            throw new InvalidDataException($"Directory '{path}' holds no .csv, .json or .wav files.");
        }

        var examples = new List<(string, float[])>();
        foreach (var file in files)
        {
            examples.AddRange(ReadFile(file, size, audio));
        }

        return examples;
    }

    /// <summary>
    /// The examples of one file. Problems raise <see cref="CsvFormatException"/>, <see cref="InvalidDataException"/>,
    /// <see cref="WavFormatException"/>, <see cref="IOException"/> or <see cref="UnauthorizedAccessException"/>, naming
    /// the file.
    /// </summary>
    public static List<(string Source, float[] Features)> ReadFile(string file, int size, AudioFeatures? audio)
    {
        var name = Path.GetFileName(file);
        var extension = Path.GetExtension(file).ToLowerInvariant();
        if (extension == ".wav")
        {
            if (audio is null)
            {
                throw new
                    InvalidDataException($"'{file}': the active model takes {size} feature values, not sound; classify "
                        + "WAV files with a model packaged for audio (edge-trainer package --task fsdd).");
            }

            if (!File.Exists(file))
            {
                throw new FileNotFoundException($"'{file}' does not exist.", file);
            }

            return [(name, audio.FromWavFile(file))];
        }

        var rows = extension switch
        {
            ".csv" => ValueCsv.Read(file, size),
            ".json" => ReadJson(file, size),
            _ => throw new InvalidDataException($"'{file}': unknown extension; use .csv, .json or .wav."),
        };
        var examples = new List<(string, float[])>(rows.Length / size);
        for (var r = 0; r < rows.Length / size; r++)
        {
            examples.Add(($"{name}:{r + 1}", rows.AsSpan(r * size, size).ToArray()));
        }

        return examples;
    }

    private static List<string> Listed(string directory)
    {
        var files = new List<string>();
        foreach (var file in Directory.GetFiles(directory))
        {
            if (Extensions.Contains(Path.GetExtension(file).ToLowerInvariant()))
            {
                files.Add(file);
            }
        }

        files.Sort(StringComparer.Ordinal);
        return files;
    }

    private static float[] ReadJson(string file, int size)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(file));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{file}' is not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Array || root.GetArrayLength() == 0)
            {
                throw new
                    InvalidDataException($"'{file}': expected an array of {size} numbers or an array of such arrays.");
            }

            var values = new List<float>();
            if (root[0].ValueKind == JsonValueKind.Array)
            {
                var index = 0;
                foreach (var row in root.EnumerateArray())
                {
                    AddRow(file, $"[{index++}]", row, size, values);
                }
            }
            else
            {
                AddRow(file, "", root, size, values);
            }

            return [.. values];
        }
    }

    private static void AddRow(string file, string where, JsonElement row, int size, List<float> values)
    {
        if (row.ValueKind != JsonValueKind.Array || row.GetArrayLength() != size)
        {
            throw new InvalidDataException($"'{file}'{where}: expected an array of {size} numbers.");
        }

        var index = 0;
        foreach (var item in row.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetSingle(out var value) || !float.IsFinite(value))
            {
                throw new InvalidDataException($"'{file}'{where}[{index}]: '{item}' is not a finite number.");
            }

            values.Add(value);
            index++;
        }
    }
}
