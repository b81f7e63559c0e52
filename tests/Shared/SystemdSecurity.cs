using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Edge.Tests.Shared;

/// <summary>
/// systemd's own offline score of a shipped unit (<c>systemd-analyze security --offline=true</c>, Debian package
/// systemd): the unit and its drop-ins are installed under a private root, as on a machine, and rated there.
/// </summary>
public static partial class SystemdSecurity
{
    /// <summary>
    /// Copies <paramref name="unitFile"/> (and a drop-in) under <paramref name="root"/>; returns the root.
    /// </summary>
    public static string Install(string root, string unitFile, string? dropIn = null)
    {
        var units = Directory.CreateDirectory(Path.Combine(root, "etc", "systemd", "system")).FullName;
        var name = Path.GetFileName(unitFile);
        File.Copy(unitFile, Path.Combine(units, name));
        if (dropIn is not null)
        {
            var folder = Directory.CreateDirectory(Path.Combine(units, name + ".d")).FullName;
            File.Copy(dropIn, Path.Combine(folder, Path.GetFileName(dropIn)));
        }

        return root;
    }

    /// <summary>
    /// The overall exposure systemd rates the unit <paramref name="unit"/> installed under <paramref name="root"/>.
    /// </summary>
    public static async Task<double> ExposureAsync(string root, string unit)
    {
        string[] arguments = ["security", "--offline=true", "--root=" + root, unit];
        var start = new ProcessStartInfo("systemd-analyze", arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)
            ?? throw new InvalidOperationException("systemd-analyze could not be started (Debian package: systemd)");
        var output = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var errors = await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        var match = OverallExposure().Match(output);
        Assert.True(match.Success, $"systemd-analyze printed no overall exposure (exit {process.ExitCode}): {errors}");
        Assert.Equal(unit, match.Groups[1].Value);
        return double.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"Overall exposure level for (\S+): (\d+\.\d+)")]
    private static partial Regex OverallExposure();
}
