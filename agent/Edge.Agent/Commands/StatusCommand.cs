using System.CommandLine;
using System.Globalization;
using Edge.Agent.Models;

namespace Edge.Agent.Commands;

/// <summary><c>edge-agent status</c>: the device, the active model, installed versions and live health.</summary>
public static class StatusCommand
{
    /// <summary>Creates the verb.</summary>
    public static Command Create(AgentCommandLine commandLine)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        var command = new Command("status", "Show the device, the active model and the installed versions.");
        command.SetAction((parseResult, cancellationToken)
            => ModelStoreAccess.WithStoreAsync(commandLine, parseResult, PrintAsync, cancellationToken));
        return command;
    }

    private static async Task<int> PrintAsync(ModelStore store, TextWriter output, CancellationToken cancellationToken)
    {
        var device = store.Device;
        await
            output.WriteLineAsync($"device:    {device.DeviceId} (layer '{device.Spec.Name}', "
                + $"{device.Spec.InputSize}+{device.Spec.ParameterSize}→{device.Spec.OutputSize})")
                    .ConfigureAwait(false);
        if (store.ActiveManifest is { } manifest)
        {
            await output.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"active:    version {manifest.ModelVersion}, task {manifest.Task}, {manifest.ClassLabels.Count} "
                    + $"classes, {manifest.Stages.Count} stages, built {manifest.CreatedAt:yyyy-MM-dd HH:mm} by "
                        + $"{manifest.TrainerId}")).ConfigureAwait(false);
        }
        else
        {
            await output.WriteLineAsync("active:    none").ConfigureAwait(false);
        }

        var versions = store.List();
        var numbers = new string[versions.Count];
        for (var i = 0; i < numbers.Length; i++)
        {
            numbers[i] = versions[i].Version.ToString(CultureInfo.InvariantCulture);
        }

        await output.WriteLineAsync($"installed: {(numbers.Length == 0 ? "none" : string.Join(", ", numbers))}")
            .ConfigureAwait(false);
        await output.WriteLineAsync($"floor:     {store.Floor} (offers at or below it are refused)")
            .ConfigureAwait(false);
        await output.WriteLineAsync($"health:    {ModelsCommand.DescribeLiveHealth(store)}").ConfigureAwait(false);
        var problems = store.Problems;
        await output.WriteLineAsync($"problems:  {problems.Count}").ConfigureAwait(false);
        foreach (var problem in problems)
        {
            await output.WriteLineAsync($"  {problem}").ConfigureAwait(false);
        }

        await ModelsCommand.WriteRecoveriesAsync(store, output).ConfigureAwait(false);
        return ExitCodes.Success;
    }
}
