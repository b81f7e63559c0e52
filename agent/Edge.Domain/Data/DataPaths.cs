namespace Edge.Domain.Data;

/// <summary>
/// Finds the shared data sets. They live beside the repository in <c>../shared/data</c> and are read in place;
/// <c>EDGE_DATA_DIR</c> overrides the location.
/// </summary>
public static class DataPaths
{
    /// <summary>Environment variable that overrides the data root.</summary>
    public const string OverrideVariable = "EDGE_DATA_DIR";

    /// <summary>The data root, or a <see cref="DirectoryNotFoundException"/> that says where it was looked
    /// for.</summary>
    public static string Root()
    {
        var overridden = Environment.GetEnvironmentVariable(OverrideVariable);
        if (!string.IsNullOrWhiteSpace(overridden))
        {
            return Directory.Exists(overridden)
                ? overridden
                : throw new
                    DirectoryNotFoundException($"{OverrideVariable} points to '{overridden}', which does not exist.");
        }

        var repository = FindRepositoryRoot();
        var candidate = Path.GetFullPath(Path.Combine(repository ?? Directory.GetCurrentDirectory(), "..", "shared",
            "data"));
        return Directory.Exists(candidate)
            ? candidate
            : throw new DirectoryNotFoundException(
                $"Shared data not found at '{candidate}'. Edge reads its data sets from ../shared/data beside the "
                    + $"repository; place them there or set {OverrideVariable}.");
    }

    /// <summary>Path of a file under the data root, or a <see cref="FileNotFoundException"/> naming it.</summary>
    public static string File(params string[] relative)
    {
        var path = Path.Combine([Root(), .. relative]);
        return System.IO.File.Exists(path) ? path
            : throw new FileNotFoundException($"Data file '{path}' is missing.", path);
    }

    /// <summary>
    /// The repository root: the nearest folder holding Edge.sln above the working directory, above the program, or
    /// at the source tree the program was built from.
    /// </summary>
    public static string? FindRepositoryRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory, BuiltFrom() })
        {
            if (string.IsNullOrEmpty(start) || !Directory.Exists(start))
            {
                continue;
            }

            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (System.IO.File.Exists(Path.Combine(dir.FullName, "Edge.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        return null;
    }

    private static string? BuiltFrom()
    {
        foreach (var attribute in
            typeof(DataPaths).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false))
        {
            if (attribute is System.Reflection.AssemblyMetadataAttribute { Key: "EdgeSourceRoot" } metadata)
            {
                return metadata.Value;
            }
        }

        return null;
    }
}
