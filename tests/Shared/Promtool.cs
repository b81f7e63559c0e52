using System.ComponentModel;
using System.Diagnostics;

namespace Edge.Tests.Shared;

/// <summary>
/// Prometheus's own linter: <c>promtool check metrics</c> (Debian package prometheus) reads an exposition on stdin
/// and names every convention it breaks (a counter without <c>_total</c>, a missing HELP, a bad unit suffix, …);
/// <c>promtool check rules</c> and <c>test rules</c> check the shipped alerting rules. Missing, it skips the test on
/// a workstation and fails it under <c>CI=true</c> (.ci/run installs it).
/// </summary>
public static class Promtool
{
    /// <summary>
    /// Asserts that <paramref name="exposition"/> passes the linter, listing its complaints otherwise.
    /// </summary>
    public static async Task AssertCleanAsync(string exposition)
    {
        var (code, said) = await RunAsync(["check", "metrics"], exposition);
        Assert.True(code == 0, $"promtool check metrics (exit {code}):\n{said}");
    }

    /// <summary>
    /// Asserts that the rule file <paramref name="rules"/> is valid (<c>promtool check rules</c>) and that its unit
    /// tests <paramref name="tests"/> pass (<c>promtool test rules</c>: the alerts fire, and only, when they should).
    /// </summary>
    public static async Task AssertRulesAsync(string rules, string tests)
    {
        var (checkCode, checkSaid) = await RunAsync(["check", "rules", rules], null);
        Assert.True(checkCode == 0, $"promtool check rules {rules} (exit {checkCode}):\n{checkSaid}");
        var (testCode, testSaid) = await RunAsync(["test", "rules", tests], null);
        Assert.True(testCode == 0, $"promtool test rules {tests} (exit {testCode}):\n{testSaid}");
    }

    private static async Task<(int ExitCode, string Said)> RunAsync(string[] arguments, string? input)
    {
        var start = new ProcessStartInfo("promtool", arguments)
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
            if (input is not null)
            {
                await process.StandardInput.WriteAsync(input.AsMemory(), token);
            }

            process.StandardInput.Close();
            await process.WaitForExitAsync(token);
            return (process.ExitCode, await output + await errors);
        }
    }
}
