using System.Text.Json;
using System.Text.Json.Nodes;

namespace Edge.Benchmarks;

/// <summary>How every bench command leaves its result: indented JSON at the path asked for, path printed.</summary>
internal static class BenchJson
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Writes <paramref name="result"/> to <paramref name="output"/>, creating its folder.</summary>
    public static void Write(JsonNode result, string output)
    {
        var path = Path.GetFullPath(output);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, result.ToJsonString(Indented));
        Console.WriteLine($"JSON: {path}");
    }
}
