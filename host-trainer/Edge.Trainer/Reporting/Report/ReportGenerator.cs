using Edge.Domain.IO;

namespace Edge.Trainer.Reporting.Report;

/// <summary>Where the report reads from and writes to.</summary>
public sealed record ReportOptions
{
    /// <summary>Folder of bench JSON (read recursively).</summary>
    public required string DataFolder { get; init; }

    /// <summary>The report to write (docs/benchmarks.md).</summary>
    public required string OutputPath { get; init; }

    /// <summary>The hand-written notes to include (docs/benchmarks-notes.md); must exist.</summary>
    public required string NotesPath { get; init; }

    /// <summary>Folder the report's images live in (docs/img); PNGs from <see cref="PlotsFolder"/> are copied
    /// here.</summary>
    public required string ImageFolder { get; init; }

    /// <summary>Folder of PNGs the bench commands wrote (<c>--plots</c>), or null.</summary>
    public string? PlotsFolder { get; init; }

    /// <summary>README whose headline block to replace, or null to leave every README alone.</summary>
    public string? ReadmePath { get; init; }

    /// <summary>How the data folder is named in the report (defaults to its path relative to the report's repository
    /// root).</summary>
    public string? DataFolderDisplay { get; init; }
}

/// <summary>
/// <c>edge-trainer report</c>: reads every bench JSON, copies plots, writes the report (including the notes) and the
/// README's headline block. Output depends only on the inputs; files are replaced atomically and only when they change.
/// </summary>
public static class ReportGenerator
{
    /// <summary>Generates; returns the files written (unchanged files are not rewritten). Throws <see
    /// cref="BenchDataException"/> naming the problem.</summary>
    public static IReadOnlyList<string> Run(ReportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var data = BenchDataReader.Read(options.DataFolder);
        var notes = NotesFile.Parse(ReadRequired(options.NotesPath, "notes file"), options.NotesPath);
        var readme = options.ReadmePath is null ? null : ReadRequired(options.ReadmePath, "README");
        var outputFolder = Path.GetDirectoryName(Path.GetFullPath(options.OutputPath))!;
        Directory.CreateDirectory(options.ImageFolder);
        var written = new List<string>();
        if (options.PlotsFolder is not null)
        {
            written.AddRange(CopyPlots(options.PlotsFolder, options.ImageFolder));
        }

        var images = Directory.GetFiles(options.ImageFolder,
            "*.png").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();
        var context = new ReportContext(data, notes,
            options.DataFolderDisplay ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(options.DataFolder)),
                Link(outputFolder, options.ImageFolder) + "/", images);
        var report = BenchmarksDocument.Render(context, Link(outputFolder, options.NotesPath));

        // Both texts are made before either file is written, so a README without markers leaves the report as it was
        // too.
        var newReadme = readme is null
            ? null
            : ReadmeHeadline.Replace(readme,
                BenchmarksDocument.Headline(context,
                    Link(Path.GetDirectoryName(Path.GetFullPath(options.ReadmePath!))!, options.OutputPath)),
                        options.ReadmePath!);
        Directory.CreateDirectory(outputFolder);
        if (WriteIfChanged(options.OutputPath, report))
        {
            written.Add(options.OutputPath);
        }

        if (newReadme is not null && WriteIfChanged(options.ReadmePath!, newReadme))
        {
            written.Add(options.ReadmePath!);
        }

        return written;
    }

    private static List<string> CopyPlots(string from, string to)
    {
        if (!Directory.Exists(from))
        {
            throw new BenchDataException($"Plots folder '{from}' does not exist.");
        }

        var copied = new List<string>();
        foreach (var source in Directory.GetFiles(from, "*.png").Order(StringComparer.Ordinal))
        {
            var target = Path.Combine(to, Path.GetFileName(source));
            if (!File.Exists(target) || !File.ReadAllBytes(target).AsSpan().SequenceEqual(File.ReadAllBytes(source)))
            {
                File.Copy(source, target, overwrite: true);
                copied.Add(target);
            }
        }

        return copied;
    }

    private static string ReadRequired(string path, string what)
        => File.Exists(path) ? File.ReadAllText(path)
            : throw new BenchDataException($"The {what} '{path}' does not exist.");

    private static bool WriteIfChanged(string path, string text)
    {
        if (File.Exists(path) && File.ReadAllText(path) == text)
        {
            return false;
        }

        AtomicFile.WriteAllText(path, text);
        return true;
    }

    private static string Link(string fromFolder, string to)
        => Path.GetRelativePath(fromFolder, Path.GetFullPath(to)).Replace('\\', '/');
}
