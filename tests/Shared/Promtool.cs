using System.ComponentModel;
using System.Diagnostics;

namespace Edge.Tests.Shared;

/// <summary>
/// Prometheus's own linter: <c>promtool check metrics</c> (Debian package prometheus) reads an exposition on stdin
/// and names every convention it breaks (a counter without <c>_total</c>, a missing HELP, a bad unit suffix, …).
/// Missing, it skips the test on a workstation and fails it under <c>CI=true</c> (.ci/run installs it).
/// </summary>
public static class Promtool
{
    /// <summary>
    /// Asserts that <paramref name="exposition"/> passes the linter, listing its complaints otherwise.
    /// </summary>
    public static async Task AssertCleanAsync(string exposition)
    {
        var start = new ProcessStartInfo("promtool", ["check", "metrics"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        Process? process;
        try
        {
            process = Process.Start(start);
        }
        catch (Win32Exception)
        {
            process = null;
        }

        if (process is null)
        {
            Assert.True(
                Environment.GetEnvironmentVariable("CI") != "true",
                "promtool is not installed; .ci/run installs it (Debian package prometheus) and CI must not "
                    + "skip this.");
            Assert.Skip("promtool is not installed (apt-get install prometheus).");
        }

        using (process)
        {
            var token = TestContext.Current.CancellationToken;
            var output = process.StandardOutput.ReadToEndAsync(token);
            var errors = process.StandardError.ReadToEndAsync(token);
            await process.StandardInput.WriteAsync(exposition.AsMemory(), token);
            process.StandardInput.Close();
            await process.WaitForExitAsync(token);
            Assert.True(
                process.ExitCode == 0,
                $"promtool check metrics (exit {process.ExitCode}):\n{await output}{await errors}");
        }
    }
}
