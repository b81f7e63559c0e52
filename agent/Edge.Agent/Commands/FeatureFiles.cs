using System.Text.Json;
using Edge.Agent.Csv;

namespace Edge.Agent.Commands;

/// <summary>Reads feature vectors from CSV or JSON files (or a directory of them), each named by file and row.</summary>
internal static class FeatureFiles
{
    public static List<(string Source, float[] Features)> Read(string path, int size)
    {
        var files = Directory.Exists(path) ? Listed(path) : [path];
        if (files.Count == 0)
        {
            throw new InvalidDataException($"Directory '{path}' holds no .csv or .json files.");
        }

        var examples = new List<(string, float[])>();
        foreach (var file in files)
        {
            var rows = Path.GetExtension(file).ToLowerInvariant() switch
            {
                ".csv" => ValueCsv.Read(file, size),
                ".json" => ReadJson(file, size),
                _ => throw new InvalidDataException($"'{file}': unknown extension; use .csv or .json."),
            };
            for (var r = 0; r < rows.Length / size; r++)
            {
                examples.Add(($"{Path.GetFileName(file)}:{r + 1}", rows.AsSpan(r * size, size).ToArray()));
            }
        }

        return examples;
    }

    private static List<string> Listed(string directory)
    {
        var files = new List<string>();
        foreach (var file in Directory.GetFiles(directory))
        {
            if (Path.GetExtension(file).ToLowerInvariant() is ".csv" or ".json")
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
                throw new InvalidDataException($"'{file}': expected an array of {size} numbers or an array of such arrays.");
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
