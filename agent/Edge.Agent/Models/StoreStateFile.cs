using System.Globalization;
using System.Text.Json;
using Edge.Domain.IO;

namespace Edge.Agent.Models;

/// <summary>
/// The store's files: <c>state.json</c>, the <c>floor</c> file and the <c>versions</c> folder. Every write is atomic.
/// The floor is written to its own small file before <c>state.json</c>, and on open the higher of the two is taken,
/// so a corrupt or deleted <c>state.json</c> can never lower it.
/// </summary>
internal sealed class StoreStateFile
{
    private const string StateName = "state.json";
    private const string FloorName = "floor";

    private readonly string _directory;

    /// <summary>Uses (and creates) the store folder <paramref name="directory"/>.</summary>
    public StoreStateFile(string directory)
    {
        _directory = directory;
        VersionsDirectory = Path.Combine(directory, "versions");
        Directory.CreateDirectory(VersionsDirectory);
    }

    /// <summary>Where installed packages live.</summary>
    public string VersionsDirectory { get; }

    /// <summary>Path of <c>state.json</c>.</summary>
    public string StatePath => Path.Combine(_directory, StateName);

    /// <summary>Path of the package file <paramref name="file"/>.</summary>
    public string PackagePath(string file) => Path.Combine(VersionsDirectory, file);

    /// <summary>
    /// Reads the state. Null when <c>state.json</c> is missing or unreadable (then <paramref name="problem"/> says why,
    /// unless it was simply absent); <paramref name="floor"/> is the persisted floor from either file.
    /// </summary>
    public StoreState? Read(out int floor, out string? problem)
    {
        problem = null;
        floor = ReadFloorFile();
        if (!File.Exists(StatePath))
        {
            return null;
        }

        try
        {
            var state = JsonSerializer.Deserialize(File.ReadAllBytes(StatePath), StoreJsonContext.Default.StoreState);
            if (state is null)
            {
                problem = $"{StatePath}: holds JSON null";
                return null;
            }

            floor = Math.Max(floor, state.Floor);
            state.Floor = floor;
            return state;
        }
        catch (JsonException e)
        {
            problem = $"{StatePath}: unreadable ({e.Message})";
            return null;
        }
    }

    /// <summary>Writes the floor file, then <c>state.json</c>.</summary>
    public void Write(StoreState state)
    {
        var floor = state.Floor.ToString(CultureInfo.InvariantCulture);
        AtomicFile.WriteAllText(Path.Combine(_directory, FloorName), floor);
        AtomicFile.Write(StatePath, s => JsonSerializer.Serialize(s, state, StoreJsonContext.Default.StoreState));
    }

    /// <summary>Package files present in <see cref="VersionsDirectory"/>, by name.</summary>
    public string[] PackageFiles()
    {
        var files = Directory.GetFiles(VersionsDirectory, "*" + Edge.Domain.Models.ModelPackageLayout.Extension);
        Array.Sort(files, StringComparer.Ordinal);
        return files;
    }

    private int ReadFloorFile()
    {
        var path = Path.Combine(_directory, FloorName);
        try
        {
            var text = File.ReadAllText(path).Trim();
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var floor) ? floor : 0;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return 0;
        }
    }
}
