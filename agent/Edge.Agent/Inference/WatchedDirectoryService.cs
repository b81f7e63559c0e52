using System.Globalization;
using System.Text;
using Edge.Agent.Commands;
using Edge.Agent.Configuration;
using Edge.Agent.Csv;
using Edge.Agent.Models;
using Edge.Domain.Audio;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Edge.Agent.Inference;

/// <summary>
/// Classifies the .csv, .json and .wav files that appear in <c>Edge:Inference:WatchDirectory</c>. A file is read only
/// once its size and time stamp have held still for <see cref="InferenceOptions.StableMilliseconds"/> (or it was
/// renamed
/// in whole); then every example in it is classified, logged and published, and the file moves to the processed folder
/// with a <c>.result.tsv</c>, or to the failed folder with a <c>.error.txt</c> naming the problem. Files stay where
/// they
/// are while no model is active, and a file interrupted by a stop is classified again at the next start, so nothing is
/// lost and nothing finished is read twice.
/// </summary>
/// <param name="options">Where to watch and how long a file must hold still.</param>
/// <param name="inference">The active model.</param>
/// <param name="time">Measures how long a file has held still (monotonic) and paces the scans.</param>
/// <param name="logger">Where each file's outcome is logged.</param>
public sealed partial class WatchedDirectoryService(
    IOptions<InferenceOptions> options,
    LiveInference inference,
    TimeProvider time,
    ILogger<WatchedDirectoryService> logger) : BackgroundService
{
    private readonly InferenceOptions _options = options.Value;
    private readonly Dictionary<string, Sighting> _sightings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Sighting> _stuck = new(StringComparer.Ordinal);
    private bool _waitingForModel;

    /// <summary>Files moved to the processed folder since start.</summary>
    public int Processed { get; private set; }

    /// <summary>Files moved to the failed folder since start.</summary>
    public int Failed { get; private set; }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var watched = Path.GetFullPath(_options.WatchDirectory);
        Directory.CreateDirectory(_options.ProcessedPath);
        Directory.CreateDirectory(_options.FailedPath);
        LogWatching(logger, watched, _options.ProcessedPath, _options.FailedPath);
        var poll = TimeSpan.FromMilliseconds(_options.PollMilliseconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                foreach (var file in ReadyFiles(watched))
                {
                    await ProcessAsync(file, stoppingToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The folder itself went away or became unreadable: say so and keep trying.
                LogScanFailed(logger, watched, e.Message);
            }

            try
            {
                await Task.Delay(poll, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private List<string> ReadyFiles(string watched)
    {
        var now = time.GetTimestamp();
        var present = new HashSet<string>(StringComparer.Ordinal);
        var ready = new List<string>();
        foreach (var file in Directory.EnumerateFiles(watched))
        {
            var name = Path.GetFileName(file);
            if (name.StartsWith('.') || !FeatureFiles.Extensions.Contains(Path.GetExtension(name).ToLowerInvariant()))
            {
                // Hidden and other names are where writers put files before renaming them in (x.wav.part, .x.wav).
                continue;
            }

            present.Add(file);
            var info = new FileInfo(file);
            var sighting = new Sighting(info.Length, info.LastWriteTimeUtc, now);
            if (_stuck.TryGetValue(file, out var stuck) && stuck.SameContent(sighting))
            {
                continue;
            }

            if (!_sightings.TryGetValue(file, out var previous) || !previous.SameContent(sighting))
            {
                _sightings[file] = sighting;
                continue;
            }

            if (time.GetElapsedTime(previous.SinceTimestamp, now).TotalMilliseconds >= _options.StableMilliseconds)
            {
                ready.Add(file);
            }
        }

        foreach (var gone in _sightings.Keys.Where(f => !present.Contains(f)).ToList())
        {
            _sightings.Remove(gone);
            _stuck.Remove(gone);
        }

        ready.Sort(StringComparer.Ordinal);
        return ready;
    }

    private async Task ProcessAsync(string file, CancellationToken cancellationToken)
    {
        (Domain.Models.ModelManifest Manifest, AudioFeatures? Audio) input;
        try
        {
            input = inference.ActiveInput();
        }
        catch (ModelStoreException e)
        {
            if (!_waitingForModel)
            {
                LogWaitingForModel(logger, e.Message);
                _waitingForModel = true;
            }

            return;
        }

        _waitingForModel = false;
        List<(string Source, float[] Features)> examples;
        try
        {
            examples = FeatureFiles.ReadFile(file, input.Manifest.Input.Size, input.Audio);
        }
        catch (Exception e)
            when (e is CsvFormatException or InvalidDataException or WavFormatException or IOException
                or UnauthorizedAccessException)
        {
            Finish(file, _options.FailedPath, ".error.txt", e.Message, failed: true);
            return;
        }

        if (examples.Count == 0)
        {
            Finish(file, _options.FailedPath, ".error.txt", $"'{file}' holds no examples.", failed: true);
            return;
        }

        var results = new StringBuilder("example\tlabel\tconfidence\tdigital_us\tdevice_us\tmodel\tdegraded\n");
        foreach (var (source, features) in examples)
        {
            try
            {
                var (result, version) = await inference.ClassifyAsync(features, source, InferenceOrigin.Local,
                    cancellationToken).ConfigureAwait(false);
                results.Append(
                    CultureInfo.InvariantCulture,
                    $"{source}\t{result.Label}\t{result.Confidence:F3}\t{result.DigitalTime.TotalMicroseconds:F0}\t"
                    + $"{result.DeviceTime.TotalMicroseconds:F0}\t{version}\t{(result.Degraded ? 1 : 0)}\n");
            }
            catch (ArgumentException e)
            {
                Finish(file, _options.FailedPath, ".error.txt", $"{source}: {e.Message}", failed: true);
                return;
            }
            catch (ModelStoreException)
            {
                // The model went away between reading and classifying: leave the file for the next one.
                return;
            }
            catch (Exception e) when (e is IOException or TimeoutException or InvalidOperationException)
            {
                Finish(file, _options.FailedPath, ".error.txt", $"{source}: the device failed: {e.Message}",
                    failed: true);
                return;
            }
        }

        Finish(file, _options.ProcessedPath, ".result.tsv", results.ToString(), failed: false);
    }

    private void Finish(string file, string folder, string sidecarSuffix, string text, bool failed)
    {
        var name = Path.GetFileName(file);
        var destination = Path.Combine(folder, name);
        if (File.Exists(destination))
        {
            // Same name classified before: keep both, the later one stamped.
            destination = Path.Combine(folder,
                $"{Path.GetFileNameWithoutExtension(name)}-"
                + $"{time.GetUtcNow().ToString("yyyyMMddTHHmmssfff", CultureInfo.InvariantCulture)}"
                + Path.GetExtension(name));
        }

        try
        {
            // Moved first, so a crash before the sidecar is written cannot make the file be read again.
            File.Move(file, destination);
            File.WriteAllText(destination + sidecarSuffix, text.EndsWith('\n') ? text : text + "\n");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogMoveFailed(logger, file, folder, e.Message);
            if (_sightings.TryGetValue(file, out var sighting))
            {
                _stuck[file] = sighting;
            }

            return;
        }

        _sightings.Remove(file);
        if (failed)
        {
            Failed++;
            LogFailed(logger, file, text.TrimEnd(), destination);
        }
        else
        {
            Processed++;
            LogProcessed(logger, file, destination);
        }
    }

    private readonly record struct Sighting(long Length, DateTime WrittenUtc, long SinceTimestamp)
    {
        public bool SameContent(Sighting other) => Length == other.Length && WrittenUtc == other.WrittenUtc;
    }

    [LoggerMessage(Level = LogLevel.Information, Message =
        "Watching {Folder} for .csv, .json and .wav files; results to {Processed}, failures to {Failed}")]
    private static partial void LogWatching(ILogger logger, string folder, string processed, string failed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Watched files wait until a model is active: {Reason}")]
    private static partial void LogWaitingForModel(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Classified {File}; moved to {Destination}")]
    private static partial void LogProcessed(ILogger logger, string file, string destination);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not classify {File}: {Problem}; moved to {Destination}")]
    private static partial void LogFailed(ILogger logger, string file, string problem, string destination);

    [LoggerMessage(Level = LogLevel.Error, Message =
        "Cannot move {File} to {Folder}: {Reason}; it stays until it changes")]
    private static partial void LogMoveFailed(ILogger logger, string file, string folder, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot scan the watched folder {Folder}: {Reason}")]
    private static partial void LogScanFailed(ILogger logger, string folder, string reason);
}
