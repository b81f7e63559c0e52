using System.Globalization;
using System.Text;
using System.Text.Json;
using Edge.Domain.Models;

namespace Edge.Agent.Models;

/// <summary>
/// The store's files: <c>state.json</c>, its second copy <c>state.copy.json</c>, the <c>floor</c> record and the
/// <c>versions</c> folder. Every write is durable and atomic (<see cref="DurableWrite"/>). A save writes
/// <c>state.json</c> first (the commit point), then the copy, then the floor record (floor, active version,
/// generation); on open the newest readable copy wins and the floor is the highest any of them holds, so a corrupt or
/// deleted <c>state.json</c> neither lowers the floor nor forgets which version was active.
/// </summary>
internal sealed class StoreStateFile
{
    private const string StateName = "state.json";
    private const string CopyName = "state.copy.json";
    private const string FloorName = "floor";

    private readonly string _directory;
    private readonly StoreFileSystem _files;

    /// <summary>Uses (and creates) the store folder <paramref name="directory"/>.</summary>
    public StoreStateFile(string directory, StoreFileSystem files)
    {
        (_directory, _files) = (directory, files);
        VersionsDirectory = Path.Combine(directory, "versions");
        IncomingDirectory = Path.Combine(directory, "incoming");
        Directory.CreateDirectory(VersionsDirectory);
        Directory.CreateDirectory(IncomingDirectory);
    }

    /// <summary>Where installed packages live.</summary>
    public string VersionsDirectory { get; }

    /// <summary>Where offers are spooled before they are verified.</summary>
    public string IncomingDirectory { get; }

    /// <summary>Path of <c>state.json</c>.</summary>
    public string StatePath => Path.Combine(_directory, StateName);

    /// <summary>Path of the second copy of the state.</summary>
    public string CopyPath => Path.Combine(_directory, CopyName);

    /// <summary>Path of the package file <paramref name="file"/>.</summary>
    public string PackagePath(string file) => Path.Combine(VersionsDirectory, file);

    /// <summary>
    /// Reads both copies of the state and the floor record, setting aside (renamed with <paramref name="now"/>) any
    /// copy that holds JSON null or cannot be parsed. The state is null when no copy is readable.
    /// </summary>
    public StateReading Read(DateTimeOffset now)
    {
        var problems = new List<string>();
        var floor = ReadFloorRecord(problems);
        var (primary, primaryStatus) = ReadCopy(StatePath, now, problems);
        var (copy, copyStatus) = ReadCopy(CopyPath, now, problems);
        var best = copy is not null && (primary is null || copy.Generation > primary.Generation) ? copy : primary;
        if (best is not null && !ReferenceEquals(best, primary))
        {
            var what = primaryStatus switch
            {
                CopyStatus.Missing => "missing",
                CopyStatus.Bad => "not usable (above)",
                _ => $"older than {CopyName} (generation {primary!.Generation})",
            };
            problems.Add($"{StatePath}: {what}; restored from {CopyName} (generation {best.Generation}).");
        }

        if (best is null)
        {
            return new StateReading(null, floor, problems, Stale: true);
        }

        best.Floor = Math.Max(best.Floor, floor.Floor);
        var stale = primaryStatus != CopyStatus.Valid || copyStatus != CopyStatus.Valid
            || primary!.Generation != copy!.Generation || floor.Generation != best.Generation;
        return new StateReading(best, floor, problems, stale);
    }

    /// <summary>
    /// Saves <paramref name="state"/> as the next generation. Throws <see cref="IOException"/> when
    /// <c>state.json</c> itself could not be written (nothing changed on disk); returns a problem when only the copy
    /// or the floor record could not (the state is saved; the next save writes them again).
    /// </summary>
    public string? Write(StoreState state)
    {
        state.Generation++;
        DurableWrite.Replace(_files, StatePath, s => Serialize(s, state));
        try
        {
            DurableWrite.Replace(_files, CopyPath, s => Serialize(s, state));
            var record = string.Create(
                CultureInfo.InvariantCulture,
                $"{state.Floor}\nactive {state.ActiveVersion}\ngeneration {state.Generation}\n");
            var floorPath = Path.Combine(_directory, FloorName);
            DurableWrite.Replace(_files, floorPath, s => s.Write(Encoding.UTF8.GetBytes(record)));
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"The state was saved, but its copy or the floor record could not be ({e.Message}).";
        }
    }

    /// <summary>Package files present in <see cref="VersionsDirectory"/>, by name.</summary>
    public string[] PackageFiles()
    {
        var files = Directory.GetFiles(VersionsDirectory, "*" + ModelPackageLayout.Extension);
        Array.Sort(files, StringComparer.Ordinal);
        return files;
    }

    /// <summary>
    /// Temporary files left by interrupted writes: those of the state files in the store folder (which may be shared
    /// with other files, so only those names), and every one in the store's own versions and incoming folders.
    /// </summary>
    public string[] TemporaryFiles()
    {
        var pattern = "*" + DurableWrite.TemporaryExtension;
        return [
            .. new[] { StateName, CopyName, FloorName }.SelectMany(
                name => Directory.GetFiles(_directory, $".{name}.{pattern}")),
            .. Directory.GetFiles(VersionsDirectory, pattern),
            .. Directory.GetFiles(IncomingDirectory, pattern),
        ];
    }

    /// <summary>Renames a bad file to <c>&lt;name&gt;.corrupt-&lt;UTC time&gt;</c> so it is kept but never read
    /// again; says what was done (also when the rename failed: the file is then reported again on the next open).
    /// </summary>
    public string SetAside(string path, DateTimeOffset now)
    {
        var aside = $"{path}.corrupt-{now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}";
        try
        {
            _files.Move(path, aside);
            _files.FlushDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            return $"set aside as {Path.GetFileName(aside)}";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"could not be set aside ({e.Message})";
        }
    }

    private static void Serialize(Stream stream, StoreState state)
        => JsonSerializer.Serialize(stream, state, StoreJsonContext.Default.StoreState);

    private (StoreState? State, CopyStatus Status) ReadCopy(string path, DateTimeOffset now, List<string> problems)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return (null, CopyStatus.Missing);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problems.Add($"{path}: cannot be read ({e.Message}).");
            return (null, CopyStatus.Bad);
        }

        string why;
        try
        {
            if (JsonSerializer.Deserialize(bytes, StoreJsonContext.Default.StoreState) is { } state)
            {
                return (state, CopyStatus.Valid);
            }

            why = "holds JSON null";
        }
        catch (JsonException e)
        {
            why = $"unreadable ({e.Message})";
        }

        problems.Add($"{path}: {why}; {SetAside(path, now)}.");
        return (null, CopyStatus.Bad);
    }

    private FloorRecord ReadFloorRecord(List<string> problems)
    {
        var path = Path.Combine(_directory, FloorName);
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return default;
        }

        if (lines.Length == 0
            || !int.TryParse(lines[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var floor))
        {
            // Rewritten by the next save from the state and the packages, which also hold the floor.
            problems.Add($"{path}: unreadable (the first line is not a version number); rewritten from the state.");
            return default;
        }

        return new FloorRecord(floor, (int?)Field(lines, "active"), Field(lines, "generation") ?? 0);
    }

    private static long? Field(string[] lines, string name)
    {
        foreach (var line in lines)
        {
            var parts = line.Split(' ', 2, StringSplitOptions.TrimEntries);
            if (parts.Length == 2 && parts[0] == name
                && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                return value;
            }
        }

        return null;
    }

    private enum CopyStatus
    {
        Missing,
        Bad,
        Valid,
    }
}

/// <summary>What <see cref="StoreStateFile.Read"/> found.</summary>
/// <param name="State">The newest readable state (its floor raised to the record's), or null when none is.</param>
/// <param name="Floor">The floor record.</param>
/// <param name="Problems">Bad or missing copies, each naming its file and what was done with it.</param>
/// <param name="Stale">True when a copy or the floor record is missing, bad or older: the state should be saved.
/// </param>
internal sealed record StateReading(StoreState? State, FloorRecord Floor, IReadOnlyList<string> Problems, bool Stale);

/// <summary>The floor record: the floor, the version active at the last save (0 = none) and that save's generation.
/// </summary>
internal readonly record struct FloorRecord(int Floor, int? Active, long Generation);
