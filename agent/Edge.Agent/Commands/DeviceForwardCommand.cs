using System.CommandLine;
using Edge.Agent.Csv;
using Edge.Domain.Devices;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Agent.Commands;

/// <summary>
/// <c>edge-agent device forward --drives in.csv [--out out.csv]</c>: plays every drive on the configured device and
/// writes one response row per drive (to stdout without <c>--out</c>).
/// </summary>
public static class DeviceForwardCommand
{
    /// <summary>Creates the verb.</summary>
    public static Command Create(AgentCommandLine commandLine)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        var drives = new Option<string>("--drives")
        {
            Description = "CSV of drives: one per line, DriveLength comma-separated invariant-culture numbers.",
            Required = true,
        };
        var output = new Option<string?>("--out")
        {
            Description = "Where to write the responses CSV (OutputSize values per line); stdout when omitted.",
        };
        var command = new Command("forward",
            "Play drives on the configured device and write the measured responses.") { drives, output };
        command.SetAction((parseResult, cancellationToken) => commandLine.WithHostAsync(
            parseResult,
            (host, token) => ForwardAsync(
                host.Services.GetRequiredService<IPhysicalDevice>(),
                parseResult.GetRequiredValue(drives),
                parseResult.GetValue(output),
                parseResult.InvocationConfiguration.Output,
                parseResult.InvocationConfiguration.Error,
                token),
            cancellationToken));
        return command;
    }

    /// <summary>Reads the drives, plays them and writes the responses; returns the exit code.</summary>
    public static async Task<int> ForwardAsync(
        IPhysicalDevice device,
        string drivesPath,
        string? outputPath,
        TextWriter standardOutput,
        TextWriter standardError,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(standardOutput);
        ArgumentNullException.ThrowIfNull(standardError);
        var spec = device.Spec;
        float[] drives;
        try
        {
            drives = ValueCsv.Read(drivesPath, spec.DriveLength);
        }
        catch (CsvFormatException e)
        {
            await standardError.WriteLineAsync($"{e.Message} Nothing was written.").ConfigureAwait(false);
            return ExitCodes.InvalidInput;
        }
        catch (Exception e)
            when (e is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            await standardError.WriteLineAsync($"Cannot read drives file '{drivesPath}': {e.Message}")
                .ConfigureAwait(false);
            return ExitCodes.InvalidInput;
        }

        var responses = new float[drives.Length / spec.DriveLength * spec.OutputSize];
        await device.ForwardAsync(drives, responses, cancellationToken).ConfigureAwait(false);
        if (outputPath is null)
        {
            ValueCsv.Write(standardOutput, responses, spec.OutputSize);
            return ExitCodes.Success;
        }

        try
        {
            ValueCsv.WriteAtomically(outputPath, responses, spec.OutputSize);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await standardError.WriteLineAsync($"Cannot write responses to '{outputPath}': {e.Message}")
                .ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        return ExitCodes.Success;
    }
}
