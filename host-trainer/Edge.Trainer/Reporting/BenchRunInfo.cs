using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;

namespace Edge.Trainer.Reporting;

/// <summary>
/// The <c>run</c> block every bench JSON carries so the report can say how, where and when a figure was measured:
/// the command, the machine (CPU model, cores, OS, .NET, load average when the run started), the UTC timestamp and
/// the bench profile (from <see cref="ProfileVariable"/>, set by the Cake Bench target).
/// </summary>
public static class BenchRunInfo
{
    /// <summary>Environment variable naming the bench profile (<c>quick</c> or <c>full</c>) a run belongs to.</summary>
    public const string ProfileVariable = "EDGE_BENCH_PROFILE";

    /// <summary>Key of the block in a bench JSON.</summary>
    public const string Key = "run";

    /// <summary>
    /// Describes this run: <paramref name="project"/> is the project the command runs (e.g.
    /// <c>host-trainer/Edge.Trainer</c>),
    /// <paramref name="arguments"/> the application's own arguments.
    /// </summary>
    public static JsonObject Describe(string project, IReadOnlyList<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var command = new JsonArray();
        foreach (var argument in arguments)
        {
            command.Add(argument);
        }

        var profile = Environment.GetEnvironmentVariable(ProfileVariable);
        return new JsonObject
        {
            ["project"] = project,
            ["arguments"] = command,
            ["timestamp_utc"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'",
                CultureInfo.InvariantCulture),
            ["profile"] = string.IsNullOrWhiteSpace(profile) ? null : profile.Trim(),
            ["machine"] = Machine(),
        };
    }

    /// <summary>Describes a run of the current process's own command line (its arguments after the program).</summary>
    public static JsonObject DescribeCurrentProcess(string project)
        => Describe(project, Environment.GetCommandLineArgs()[1..]);

    /// <summary>The machine: CPU model, logical cores, OS, .NET runtime and the 1/5/15-minute load average
    /// (Linux).</summary>
    public static JsonObject Machine()
    {
        var load = LoadAverage();
        return new JsonObject
        {
            ["cpu"] = CpuModel(),
            ["cores"] = Environment.ProcessorCount,
            ["os"] = OperatingSystemName(),
            ["dotnet"] = RuntimeInformation.FrameworkDescription,
            ["load_average"] = load is null ? null : new JsonArray(load[0], load[1], load[2]),
        };
    }

    private static string CpuModel()
    {
        foreach (var line in ReadLines("/proc/cpuinfo"))
        {
            if (line.StartsWith("model name", StringComparison.Ordinal) && line.IndexOf(':', StringComparison.Ordinal)
                is var colon and > 0)
            {
                return line[(colon + 1)..].Trim();
            }
        }

        return RuntimeInformation.ProcessArchitecture.ToString();
    }

    private static string OperatingSystemName()
    {
        foreach (var line in ReadLines("/etc/os-release"))
        {
            if (line.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))
            {
                return
                    $"{line["PRETTY_NAME=".Length..].Trim('"')} "
                        + $"({RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant()})";
            }
        }

        return RuntimeInformation.OSDescription;
    }

    private static double[]? LoadAverage()
    {
        var fields = ReadLines("/proc/loadavg").FirstOrDefault()?.Split(' ');
        if (fields is not { Length: >= 3 })
        {
            return null;
        }

        var values = new double[3];
        for (var i = 0; i < 3; i++)
        {
            if (!double.TryParse(fields[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]))
            {
                return null;
            }
        }

        return values;
    }

    // Machine facts are best effort: a platform without these files reports what .NET itself knows.
    private static string[] ReadLines(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllLines(path) : [];
        }
        catch (IOException)
        {
            return [];
        }
        catch (UnauthorizedAccessException)
        {
            return [];
        }
    }
}
