using System.CommandLine;
using System.Globalization;
using Edge.Agent.Csv;
using Edge.Agent.Inference;
using Edge.Agent.Models;
using Edge.Domain.Audio;

namespace Edge.Agent.Commands;

/// <summary>
/// <c>edge-agent classify &lt;file|dir&gt;</c>: classifies feature vectors with the active model and prints, per
/// example, the label, its confidence and the digital and device latency. Files are CSV (one vector per line), JSON
/// (an array of numbers, or an array of such arrays) or, for a model with audio input, WAV recordings (one utterance
/// each); a directory classifies every such file in name order.
/// </summary>
public static class ClassifyCommand
{
    /// <summary>Creates the verb.</summary>
    public static Command Create(AgentCommandLine commandLine)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        var path = new Argument<string>("path") { Description =
            "A .csv or .json file of feature vectors, a .wav recording, or a directory of them." };
        var command = new Command("classify", "Classify feature vectors with the active model.") { path };
        command.SetAction((parseResult, cancellationToken) => ModelStoreAccess.WithStoreAsync(
            commandLine,
            parseResult,
            (store, output, token)
                => ClassifyAsync(store, parseResult.GetRequiredValue(path), output,
                    parseResult.InvocationConfiguration.Error, token),
            cancellationToken));
        return command;
    }

    private static async Task<int> ClassifyAsync(ModelStore store, string path, TextWriter output, TextWriter error,
        CancellationToken cancellationToken)
    {
        var manifest = store.ActiveManifest
            ?? throw new
                ModelStoreException("No model is active: install one with 'edge-agent models install <package>'.");
        var input = manifest.Input;
        List<(string Source, float[] Features)> examples;
        try
        {
            examples = FeatureFiles.Read(path, input.Size, input.Audio is { } audio ? new AudioFeatures(audio) : null);
        }
        catch (Exception e)
            when (e is CsvFormatException or InvalidDataException or WavFormatException or IOException
                or UnauthorizedAccessException)
        {
            await error.WriteLineAsync(e.Message).ConfigureAwait(false);
            return ExitCodes.InvalidInput;
        }

        await output.WriteLineAsync("example\tlabel\tconfidence\tdigital_us\tdevice_us\tdegraded")
            .ConfigureAwait(false);
        foreach (var (source, features) in examples)
        {
            var (result, _) = await store.ClassifyAsync(features,
                cancellationToken: cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"{source}\t{result.Label}\t{result.Confidence:F3}\t{result.DigitalTime.TotalMicroseconds:F0}\t"
                + $"{result.DeviceTime.TotalMicroseconds:F0}\t{(result.Degraded ? 1 : 0)}")).ConfigureAwait(false);
        }

        return ExitCodes.Success;
    }
}
