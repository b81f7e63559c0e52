using System.CommandLine;
using Edge.Domain.Data;
using Edge.Trainer.Reporting.Report;

namespace Edge.Trainer.Cli;

/// <summary><c>report</c>: regenerates docs/benchmarks.md and the README's headline table from bench JSON.</summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        // Defaults are the repository's own files, wherever the command is run from.
        var root = DataPaths.FindRepositoryRoot() ?? Environment.CurrentDirectory;
        var data = new Option<DirectoryInfo>("--data") { Description = "Folder of bench JSON (read recursively).",
            DefaultValueFactory = _ => new DirectoryInfo(Path.Combine(root, "docs", "bench-data")) };
        var output = new Option<FileInfo>("--out") { Description = "Report to write.",
            DefaultValueFactory = _ => new FileInfo(Path.Combine(root, "docs", "benchmarks.md")) };
        var notes = new Option<FileInfo>("--notes") { Description = "Hand-written notes the report includes.",
            DefaultValueFactory = _ => new FileInfo(Path.Combine(root, "docs", "benchmarks-notes.md")) };
        var images = new Option<DirectoryInfo>("--img") { Description = "Image folder of the report.",
            DefaultValueFactory = _ => new DirectoryInfo(Path.Combine(root, "docs", "img")) };
        var plots = new Option<DirectoryInfo?>("--plots") { Description =
            "Copy the PNGs the bench commands wrote here into the image folder." };
        var readme = new Option<FileInfo?>("--readme") { Description =
            "README whose <!-- bench:begin --> … <!-- bench:end --> block to regenerate." };
        var command = new Command("report",
            "Regenerate the benchmark report (and the README headline table) from bench JSON.")
        {
            data, output, notes, images, plots, readme,
        };
        command.SetAction(parse =>
        {
            var dataFolder = parse.GetValue(data)!;
            var options = new ReportOptions
            {
                DataFolder = dataFolder.FullName,
                DataFolderDisplay = Path.GetRelativePath(root, dataFolder.FullName).Replace('\\', '/'),
                OutputPath = parse.GetValue(output)!.FullName,
                NotesPath = parse.GetValue(notes)!.FullName,
                ImageFolder = parse.GetValue(images)!.FullName,
                PlotsFolder = parse.GetValue(plots)?.FullName,
                ReadmePath = parse.GetValue(readme)?.FullName,
            };
            try
            {
                var written = ReportGenerator.Run(options);
                Console.WriteLine(written.Count == 0 ? "report: up to date"
                    : string.Join('\n',
                        written.Select(f => $"wrote {Path.GetRelativePath(Environment.CurrentDirectory, f)}")));
                return 0;
            }
            catch (BenchDataException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 2;
            }
        });
        return command;
    }
}
