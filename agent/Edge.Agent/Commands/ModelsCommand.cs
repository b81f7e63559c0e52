using System.CommandLine;
using System.Globalization;
using Edge.Agent.Models;

namespace Edge.Agent.Commands;

/// <summary><c>edge-agent models list | install &lt;package&gt; | rollback [--to V]</c>: manage the model store.</summary>
public static class ModelsCommand
{
    /// <summary>Creates the verb group.</summary>
    public static Command Create(AgentCommandLine commandLine)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        var list = new Command("list", "List installed model versions, newest first.");
        list.SetAction((parseResult, cancellationToken) => ModelStoreAccess.WithStoreAsync(commandLine, parseResult, ListAsync, cancellationToken));

        var package = new Argument<FileInfo>("package") { Description = "The signed model package (.edgepkg) to verify, validate and activate." };
        var install = new Command("install", "Verify a package, validate it on the calibration set through the device, and activate it if it is good enough.") { package };
        install.SetAction((parseResult, cancellationToken) => ModelStoreAccess.WithStoreAsync(
            commandLine,
            parseResult,
            (store, output, token) => InstallAsync(store, parseResult.GetRequiredValue(package), output, parseResult.InvocationConfiguration.Error, token),
            cancellationToken));

        var to = new Option<int?>("--to") { Description = "Version to activate; without it, the version active before the current one." };
        var rollback = new Command("rollback", "Activate an earlier installed version.") { to };
        rollback.SetAction((parseResult, cancellationToken) => ModelStoreAccess.WithStoreAsync(
            commandLine,
            parseResult,
            async (store, output, token) =>
            {
                var version = await store.RollbackAsync(parseResult.GetValue(to), "requested from the command line", token).ConfigureAwait(false);
                await output.WriteLineAsync($"Version {version} is active.").ConfigureAwait(false);
                return ExitCodes.Success;
            },
            cancellationToken));

        return new Command("models", "Manage the installed models.") { list, install, rollback };
    }

    private static async Task<int> ListAsync(ModelStore store, TextWriter output, CancellationToken cancellationToken)
    {
        var versions = store.List();
        if (versions.Count == 0)
        {
            await output.WriteLineAsync("No models installed.").ConfigureAwait(false);
            return ExitCodes.Success;
        }

        await output.WriteLineAsync("version  active  calibration  installed (UTC)       task     trainer").ConfigureAwait(false);
        foreach (var v in versions)
        {
            var accuracy = double.IsNaN(v.CalibrationAccuracy) ? "   n/a" : v.CalibrationAccuracy.ToString("P1", CultureInfo.InvariantCulture);
            await output.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"{v.Version,7}  {(v.Active ? "*" : ""),6}  {accuracy,11}  {v.InstalledAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}  {v.Task,-7}  {v.TrainerId}")).ConfigureAwait(false);
        }

        return ExitCodes.Success;
    }

    private static async Task<int> InstallAsync(ModelStore store, FileInfo package, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        InstallResult result;
        try
        {
            await using var stream = package.OpenRead();
            result = await store.InstallAsync(stream, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"Cannot read package '{package.FullName}': {e.Message}").ConfigureAwait(false);
            return ExitCodes.InvalidInput;
        }

        if (!result.Accepted)
        {
            await error.WriteLineAsync($"Rejected: {result.Reason}").ConfigureAwait(false);
            return ExitCodes.Refused;
        }

        await output.WriteLineAsync(result.Reason).ConfigureAwait(false);
        return ExitCodes.Success;
    }
}
