using System.CommandLine;
using System.Globalization;
using System.Threading.Channels;
using Edge.Agent.Audio;
using Edge.Agent.Inference;
using Edge.Agent.Models;
using Edge.Domain.Audio;

namespace Edge.Agent.Commands;

/// <summary>
/// <c>edge-agent listen</c>: live classification from the microphone. ALSA's <c>arecord</c> (or
/// <c>--capture-command</c>, any program writing raw signed 16-bit little-endian mono PCM at the model's rate) feeds
/// the same streaming front end as files; loud stretches are cut into utterances and each is classified with the
/// active audio model, one line per utterance, until Ctrl+C, <c>--seconds</c> or the end of the stream.
/// </summary>
public static class ListenCommand
{
    /// <summary>Creates the verb.</summary>
    public static Command Create(AgentCommandLine commandLine)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        var device = new Option<string>("--alsa-device") { Description = "ALSA capture device for arecord.",
            DefaultValueFactory = _ => "default" };
        var capture = new Option<string?>("--capture-command")
        {
            Description = "Program to run instead of arecord, with its arguments in one quoted value (split like a "
                + "shell, without expansion); it must write raw S16_LE mono PCM at the model's sample rate to stdout.",
        };
        var threshold = new Option<double>("--threshold-db") { Description =
            "Loudness (dBFS, per 100 ms) above which speech starts.", DefaultValueFactory = _ => -40 };
        var seconds = new Option<double>("--seconds") { Description =
            "Stop after this many seconds (0: until Ctrl+C or the end of the stream).", DefaultValueFactory = _ => 0 };
        var command = new Command("listen",
            "Classify spoken words live from the microphone with the active audio model.") { device, capture, threshold,
                seconds };
        command.SetAction((parseResult, cancellationToken) => ModelStoreAccess.WithStoreAsync(
            commandLine,
            parseResult,
            (store, output, token)
                => ListenAsync(store, parseResult.GetValue(device)!, parseResult.GetValue(capture),
                    parseResult.GetValue(threshold), parseResult.GetValue(seconds), output,
                        parseResult.InvocationConfiguration.Error, token),
            cancellationToken));
        return command;
    }

    private static async Task<int> ListenAsync(ModelStore store, string alsaDevice, string? captureCommand,
        double thresholdDb, double seconds, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var manifest = store.ActiveManifest
            ?? throw new
                ModelStoreException("No model is active: install one with 'edge-agent models install <package>'.");
        if (manifest.Input.Audio is not { } encoding)
        {
            await
                error.WriteLineAsync($"Model {manifest.ModelVersion} takes {manifest.Input.Size} feature values, not "
                    + "sound; listen needs a model packaged for audio (edge-trainer package --task fsdd).")
                        .ConfigureAwait(false);
            return ExitCodes.InvalidInput;
        }

        if (!(thresholdDb is < 0 and >= -120) || !(seconds >= 0))
        {
            await
                error.WriteLineAsync($"--threshold-db must lie in [-120, 0) dBFS (was {thresholdDb}) and --seconds "
                    + $"must not be negative (was {seconds}).").ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        var audio = new AudioFeatures(encoding);
        ArecordCaptureSource source;
        if (captureCommand is null)
        {
            source = new ArecordCaptureSource(audio.SampleRate, alsaDevice);
        }
        else
        {
            List<string> words;
            try
            {
                words = CommandWords.Split(captureCommand);
            }
            catch (FormatException e)
            {
                await error.WriteLineAsync($"--capture-command '{captureCommand}': {e.Message}").ConfigureAwait(false);
                return ExitCodes.Failure;
            }

            source = new ArecordCaptureSource(words[0], words[1..], audio.SampleRate);
        }

        var segmenter = new UtteranceSegmenter(audio.SampleRate, thresholdDb);
        var utterances = Channel.CreateUnbounded<(float[] Samples,
            double Start)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (seconds > 0)
        {
            stop.CancelAfter(TimeSpan.FromSeconds(seconds));
        }

        await output.WriteLineAsync("utterance\tstart_s\tlabel\tconfidence\tdigital_us\tdevice_us")
            .ConfigureAwait(false);
        var classify = ClassifyAsync(store, audio, utterances.Reader, output, error, cancellationToken);
        try
        {
            await source.RunAsync(block
                => segmenter.Push(block, (samples, start) => utterances.Writer.TryWrite((samples, start))),
                    stop.Token).ConfigureAwait(false);
            segmenter.Flush((samples, start) => utterances.Writer.TryWrite((samples, start)));
        }
        catch (AudioCaptureException e)
        {
            await error.WriteLineAsync(e.Message).ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        finally
        {
            utterances.Writer.TryComplete();
        }

        return await classify.ConfigureAwait(false);
    }

    private static async Task<int> ClassifyAsync(ModelStore store, AudioFeatures audio,
        ChannelReader<(float[] Samples, double Start)> utterances, TextWriter output, TextWriter error,
            CancellationToken cancellationToken)
    {
        var count = 0;
        await foreach (var (samples, start) in utterances.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            count++;
            float[] features;
            try
            {
                features = audio.FromSamples(samples, audio.SampleRate, $"utterance {count}");
            }
            catch (WavFormatException e)
            {
                await error.WriteLineAsync(e.Message).ConfigureAwait(false);
                continue;
            }

            var (result, _) = await store.ClassifyAsync(features,
                cancellationToken: cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"{count}\t{start:F2}\t{result.Label}\t{result.Confidence:F3}\t"
                + $"{result.DigitalTime.TotalMicroseconds:F0}\t{result.DeviceTime.TotalMicroseconds:F0}"))
                .ConfigureAwait(false);
        }

        return ExitCodes.Success;
    }
}
