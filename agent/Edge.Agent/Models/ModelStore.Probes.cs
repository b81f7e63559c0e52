using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Domain.IO;

namespace Edge.Agent.Models;

/// <summary>
/// Calibration probes: the active model's live accuracy on the calibration set, measured on the device.
/// </summary>
public sealed partial class ModelStore
{
    /// <summary>
    /// File in the store folder holding the newest probe round, for <c>models list</c> and <c>status</c>.
    /// </summary>
    public const string LiveHealthFileName = "live-health.json";

    /// <summary>The newest probe round the running service kept in the store folder, or null when none.</summary>
    public LiveHealth? KeptLiveHealth => ReadLiveHealth(_options.StoreDirectory);

    /// <inheritdoc />
    public double? LiveAccuracy => _liveHealth is { } health && health.Version == ActiveVersion
        ? health.LiveAccuracy
        : null;

    /// <inheritdoc />
    public int? LiveAccuracyRounds => _liveHealth is { } health && health.Version == ActiveVersion
        ? health.Rounds
        : null;

    /// <inheritdoc />
    public event Action? LiveAccuracyChanged;

    /// <inheritdoc />
    public double? ClassShift => _classMix.Shift();

    /// <summary>
    /// Classifies the calibration set once with the active model on the device (taking turns with inference), feeds
    /// the accuracy to <see cref="Health"/> and keeps it in <see cref="LiveHealthFileName"/>; when the live accuracy
    /// has fallen too far below the install-time figure, rolls back as the health window does. Null when no model is
    /// active or the model changed during the round.
    /// </summary>
    public async Task<LiveHealth?> ProbeCalibrationAsync(CancellationToken cancellationToken = default)
    {
        int version;
        var right = 0;
        using (var lease = _active.Acquire())
        {
            if (lease is null)
            {
                return null;
            }

            version = lease.Version;
            var features = new float[_calibration.FeatureCount];
            for (var i = 0; i < _calibration.Count; i++)
            {
                _calibration.Row(i).CopyTo(features);
                var result = await lease.ClassifyAsync(features, cancellationToken).ConfigureAwait(false);
                right += result.Label == _calibration.Labels[i] ? 1 : 0;
            }
        }

        var accuracy = (double)right / _calibration.Count;
        var install = _state.Installed.Find(v => v.Version == version)?.CalibrationAccuracy ?? double.NaN;
        string? verdict;
        LiveHealth health;
        lock (_healthLock)
        {
            if (version != ActiveVersion)
            {
                return null;
            }

            Health.RecordCalibration(accuracy, install);
            verdict = Health.Verdict();
            health = new LiveHealth(
                version, Health.LiveCalibrationAccuracy, Health.CalibrationRounds, install, _clock.GetUtcNow());
        }

        WriteLiveHealth(health);
        _liveHealth = health;
        LiveAccuracyChanged?.Invoke();
        await RollBackIfUnhealthyAsync(version, verdict).ConfigureAwait(false);
        return health;
    }

    /// <summary>
    /// The newest probe round kept in <paramref name="storeDirectory"/>, or null when there is none (or unreadable).
    /// </summary>
    public static LiveHealth? ReadLiveHealth(string storeDirectory)
    {
        try
        {
            var json = JsonNode.Parse(File.ReadAllText(Path.Combine(storeDirectory, LiveHealthFileName)))!.AsObject();
            return new LiveHealth(
                json["version"]!.GetValue<int>(),
                json["live_accuracy"]!.GetValue<double>(),
                json["rounds"]!.GetValue<int>(),
                json["install_accuracy"]?.GetValue<double>() ?? double.NaN,
                DateTimeOffset.Parse(json["at"]!.GetValue<string>(), CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or JsonException or InvalidOperationException
            or NullReferenceException or FormatException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private void WriteLiveHealth(LiveHealth health)
    {
        var json = new JsonObject
        {
            ["version"] = health.Version,
            ["live_accuracy"] = health.LiveAccuracy,
            ["rounds"] = health.Rounds,
            ["install_accuracy"] = double.IsFinite(health.InstallAccuracy) ? health.InstallAccuracy : null,
            ["at"] = health.At.ToString("O", CultureInfo.InvariantCulture),
        };
        try
        {
            AtomicFile.WriteAllText(Path.Combine(_options.StoreDirectory, LiveHealthFileName), json.ToJsonString());
        }
        catch (IOException e)
        {
            // A full disk must not stop the probes: the figure stays in memory and in the logs.
            LogProblem(_logger, $"could not keep the live health figure: {e.Message}");
        }
    }
}

/// <summary>The active model's live calibration accuracy.</summary>
/// <param name="Version">The model version probed.</param>
/// <param name="LiveAccuracy">Mean calibration accuracy of the recent probe rounds.</param>
/// <param name="Rounds">Probe rounds averaged.</param>
/// <param name="InstallAccuracy">Its calibration accuracy when it was installed (NaN when not measured).</param>
/// <param name="At">When the newest round ended.</param>
public sealed record LiveHealth(int Version, double LiveAccuracy, int Rounds, double InstallAccuracy, DateTimeOffset At)
{
    /// <summary>One line for <c>models list</c> and <c>status</c>.</summary>
    public string Describe()
    {
        var install = double.IsFinite(InstallAccuracy)
            ? InstallAccuracy.ToString("P1", CultureInfo.InvariantCulture)
            : "not measured";
        return string.Create(
            CultureInfo.InvariantCulture,
            $"v{Version} live calibration accuracy {LiveAccuracy:P1} (mean of {Rounds} probe rounds, newest "
            + $"{At.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z); at install {install}");
    }
}
