using System.Text;

namespace Edge.Trainer.Reporting.Report;

/// <summary>What every section of the report needs: the data, the notes, the machine ids and the plots on
/// disk.</summary>
/// <param name="Data">The bench results.</param>
/// <param name="Notes">The hand-written notes.</param>
/// <param name="DataFolder">The data folder as shown in the report.</param>
/// <param name="ImageLink">Link prefix from the report to its image folder (e.g. <c>img/</c>).</param>
/// <param name="Images">Image file names in the image folder.</param>
internal sealed record ReportContext(BenchData Data, NotesFile Notes, string DataFolder, string
    ImageLink, IReadOnlyList<string> Images)
{
    private readonly List<MachineInfo> machines = Distinct(Data);

    /// <summary>Machines in order of first appearance.</summary>
    public IReadOnlyList<MachineInfo> Machines => machines;

    /// <summary>"M1", "M2", … for a machine; "machine not recorded" when absent.</summary>
    public string MachineId(MachineInfo? machine) => machine is null ? "machine not recorded"
        : $"M{machines.IndexOf(machine) + 1}";

    /// <summary>"date, machine id[, load N]" for a table's measured column.</summary>
    public string Measured(RunInfo? run)
    {
        var text = $"{ReportFormat.Date(run?.TimestampUtc)}, {MachineId(run?.Machine)}";
        return run?.LoadAverage is { Count: > 0 } load ? $"{text}, load {ReportFormat.Fixed(load[0], 1)}" : text;
    }

    /// <summary>One line saying when, where, how and from which file a result was measured.</summary>
    public string Provenance(RunInfo? run, string file)
    {
        var text = new StringBuilder(run?.TimestampUtc is null
            ? $"Measured on {MachineId(run?.Machine)} (date not recorded)"
            : $"Measured {ReportFormat.Date(run.TimestampUtc)} on {MachineId(run.Machine)}");
        if (run?.LoadAverage is { Count: 3 } load)
        {
            text.Append($" (load average {ReportFormat.Fixed(load[0], 1)} / {ReportFormat.Fixed(load[1], 1)} / "
                + $"{ReportFormat.Fixed(load[2], 1)} when it started)");
        }

        if (run?.Profile is { } profile)
        {
            text.Append($", profile **{profile}**");
        }

        if (run?.Source is { } source)
        {
            text.Append($"; figures recovered from {source}");
        }

        return text.Append($"; data `{DataFolder}/{file}`.").ToString();
    }

    /// <summary>Appends the command in a shell block (or says it was not recorded).</summary>
    public static void AppendCommand(StringBuilder text, RunInfo? run)
    {
        text.AppendLine(run?.Command is { } command ? $"```bash\n{command}\n```" : "Command not recorded.")
            .AppendLine();
    }

    /// <summary>Appends the note for <paramref name="key"/>, if there is one.</summary>
    public void AppendNote(StringBuilder text, string key)
    {
        if (Notes.Take(key) is { Length: > 0 } note)
        {
            text.AppendLine(note).AppendLine();
        }
    }

    private static List<MachineInfo> Distinct(BenchData data)
    {
        var list = new List<MachineInfo>();
        foreach (var run in data.Runs())
        {
            if (run.Machine is { } machine && !list.Contains(machine))
            {
                list.Add(machine);
            }
        }

        return list;
    }
}
