using System.CommandLine;
using System.Globalization;
using Edge.Agent.Models;

namespace Edge.Agent.Commands;

/// <summary>
/// <c>edge-agent models [list] | install &lt;package&gt; | rollback [--to V]</c>: manage the model store; the list ends
/// with what the store repaired when it opened.
/// </summary>
public static class ModelsCommand
{
    /// <summary>Creates the verb group.</summary>
    public static Command Create(AgentCommandLine commandLine)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        var list = new Command("list", "List installed model versions, newest first.");
        list.SetAction((parseResult, cancellationToken)
            => ModelStoreAccess.WithStoreAsync(commandLine, parseResult, ListAsync, cancellationToken));

        var package = new Argument<FileInfo>("package") { Description =
            "The signed model package (.edgepkg) to verify, validate and activate." };
        var install = new Command("install",
            "Verify a package, validate it on the calibration set through the device, and activate it if it is good "
                + "enough.") { package };
        install.SetAction((parseResult, cancellationToken) => ModelStoreAccess.WithStoreAsync(
            commandLine,
            parseResult,
            (store, output, token)
                => InstallAsync(store, parseResult.GetRequiredValue(package), output,
                    parseResult.InvocationConfiguration.Error, token),
            cancellationToken));

        var to = new Option<int?>("--to") { Description =
            "Version to activate; without it, the version active before the current one." };
        var rollback = new Command("rollback", "Activate an earlier installed version.") { to };
        rollback.SetAction((parseResult, cancellationToken) => ModelStoreAccess.WithStoreAsync(
            commandLine,
            parseResult,
            async (store, output, token) =>
            {
                var version = await store.RollbackAsync(parseResult.GetValue(to), "requested from the command line",
                    token).ConfigureAwait(false);
                await output.WriteLineAsync($"Version {version} is active.").ConfigureAwait(false);
                return ExitCodes.Success;
            },
            cancellationToken));

        var models = new Command("models", "Manage the installed models (alone: list them).") { list, install,
            rollback };
        models.SetAction((parseResult, cancellationToken)
            => ModelStoreAccess.WithStoreAsync(commandLine, parseResult, ListAsync, cancellationToken));
        return models;
    }

    private static async Task<int> ListAsync(ModelStore store, TextWriter output, CancellationToken cancellationToken)
    {
        var versions = store.List();
        if (versions.Count == 0)
        {
            await output.WriteLineAsync("No models installed.").ConfigureAwait(false);
            await WriteRecoveriesAsync(store, output).ConfigureAwait(false);
            return ExitCodes.Success;
        }

        await output.WriteLineAsync("version  active  calibration  installed (UTC)       task     trainer")
            .ConfigureAwait(false);
        foreach (var v in versions)
        {
            var accuracy = double.IsNaN(v.CalibrationAccuracy) ? "   n/a"
                : v.CalibrationAccuracy.ToString("P1", CultureInfo.InvariantCulture);
            await output.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"{v.Version,7}  {(v.Active ? "*" : ""),6}  {accuracy,11}  "
                    + $"{v.InstalledAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}  {v.Task,-7}  {v.TrainerId}"))
                        .ConfigureAwait(false);
        }

        await output.WriteLineAsync($"Live health: {DescribeLiveHealth(store)}").ConfigureAwait(false);
        await WriteRecoveriesAsync(store, output).ConfigureAwait(false);
        return ExitCodes.Success;
    }

    /// <summary>
    /// The running service's newest calibration probe (kept in the store folder), next to the install-time figure;
    /// says so when none was kept or it is about another version than the active one.
    /// </summary>
    internal static string DescribeLiveHealth(ModelStore store)
    {
        if (store.KeptLiveHealth is not { } health)
        {
            return "not measured yet (the running service probes the calibration set every "
                + "Edge:Models:CalibrationProbeSeconds)";
        }

        return health.Version == store.ActiveVersion
            ? health.Describe()
            : $"{health.Describe()} — not the active version "
                + (store.ActiveVersion?.ToString(CultureInfo.InvariantCulture) ?? "none");
    }

    /// <summary>
    /// What the store repaired when it opened (now or earlier: the notes are kept in its state), newest last, so an
    /// operator sees a recovery the running service made at boot. See the agent README, "Recovering the model store".
    /// </summary>
    internal static async Task WriteRecoveriesAsync(ModelStore store, TextWriter output)
    {
        var recoveries = store.Recoveries;
        if (recoveries.Count == 0)
        {
            return;
        }

        await output.WriteLineAsync(string.Create(
            CultureInfo.InvariantCulture,
            $"Store recoveries ({recoveries.Count}, newest last; see 'Recovering the model store' in the agent "
                + $"README):"))
            .ConfigureAwait(false);
        foreach (var recovery in recoveries)
        {
            await output.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"  {recovery.At.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z  {recovery.Problem}")).ConfigureAwait(false);
        }
    }

    private static async Task<int> InstallAsync(ModelStore store, FileInfo package, TextWriter output, TextWriter error,
        CancellationToken cancellationToken)
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
