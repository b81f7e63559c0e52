using Edge.Domain.Models;
using Edge.Trainer.Recipes;
using Edge.Trainer.Training;
using Edge.Trainer.Twins;

namespace Edge.Trainer.Live.Updates;

/// <summary>
/// What the trainer knows about one deployed device: the model it runs (version and trained parameters), the twin
/// that describes it, and when it was last trained. Field updates start from here and replace it when accepted.
/// </summary>
public sealed class FieldDevice
{
    private float[][] _parameters;
    private AudioInputEncoding? _audioInput;

    /// <summary>
    /// Tracks <paramref name="deviceId"/> running <paramref name="model"/> as <paramref name="version"/>, described by
    /// <paramref name="twin"/>.
    /// </summary>
    /// <param name="deviceId">The agent's device id.</param>
    /// <param name="model">The model it runs (its parameters are copied).</param>
    /// <param name="version">The model's version.</param>
    /// <param name="twin">The twin of the device.</param>
    /// <param name="trainedAt">When the model was trained.</param>
    /// <param name="contentHash">SHA-256 (hex) of the model's package, when it came from one.</param>
    /// <param name="recipe">The recipe in the model's package, when it carries one.</param>
    public FieldDevice(
        string deviceId,
        PnnModel model,
        int version,
        ITwin twin,
        DateTimeOffset trainedAt,
        string? contentHash = null,
        TrainingRecipe? recipe = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(deviceId);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(twin);
        ArgumentOutOfRangeException.ThrowIfLessThan(version, 1);
        DeviceId = deviceId;
        Recipe = recipe;
        _parameters = Snapshot(model);
        Version = version;
        Twin = twin;
        TrainedAt = trainedAt;
        ContentHash = contentHash;
    }

    /// <summary>The agent's device id.</summary>
    public string DeviceId { get; }

    /// <summary>Version of the model the agent runs.</summary>
    public int Version { get; private set; }

    /// <summary>The twin of this device as last fitted.</summary>
    public ITwin Twin { get; private set; }

    /// <summary>When the running model was trained (the schedule counts from here).</summary>
    public DateTimeOffset TrainedAt { get; private set; }

    /// <summary>SHA-256 (hex) of the running model's package; null when unknown.</summary>
    public string? ContentHash { get; private set; }

    /// <summary>The package the device was first tracked from (the <c>--watch</c> package), if any.</summary>
    public string? PackagePath { get; init; }

    /// <summary>
    /// The recipe of the running model's package: field updates rebuild and fine-tune that network. Null for a
    /// package without one, which field updates treat as the standard network of their system.
    /// </summary>
    public TrainingRecipe? Recipe { get; private set; }

    /// <summary>
    /// How the agent turns sound into the running model's features (the package manifest's <c>input.audio</c>: front
    /// end and standardisation), null for a model of feature vectors. Field updates ship it unchanged, so an update
    /// hears exactly as the model it replaces.
    /// </summary>
    public AudioInputEncoding? AudioInput { get => _audioInput; init => _audioInput = value; }

    /// <summary>
    /// The drift score measured first after the running model was trained (null until then): later scores are
    /// compared with it, so a twin that never matched this part exactly does not count as drift.
    /// </summary>
    public double? BaselineDrift { get; set; }

    /// <summary>
    /// The agent's live accuracy (its calibration probes, played on the device) first published for the running
    /// model (null until then): the accuracy-loss score is measured against it.
    /// </summary>
    public double? BaselineAccuracy { get; set; }

    /// <summary>The field updates of this device, oldest first.</summary>
    public List<FieldUpdateOutcome> History { get; } = [];

    /// <summary>Copies the running model's parameters into <paramref name="model"/> (same architecture).</summary>
    public void LoadInto(PnnModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.Parameters.Count != _parameters.Length)
        {
            throw new InvalidOperationException(
                $"Device '{DeviceId}' runs a model with {_parameters.Length} parameter tensors; the model to load has "
                + $"{model.Parameters.Count}.");
        }

        for (var i = 0; i < _parameters.Length; i++)
        {
            var target = model.Parameters[i].Value;
            if (target.Length != _parameters[i].Length)
            {
                throw new InvalidOperationException(
                    $"Device '{DeviceId}': parameter '{model.Parameters[i].Name}' has {target.Length} values; the "
                    + $"running model's has {_parameters[i].Length}.");
            }

            _parameters[i].CopyTo(target, 0);
        }
    }

    /// <summary>Records that <paramref name="model"/> now runs on the device as <paramref name="version"/>.</summary>
    public void Accept(PnnModel model, int version, ITwin twin, DateTimeOffset trainedAt, string? contentHash = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(twin);
        _parameters = Snapshot(model);
        (Version, Twin, TrainedAt, ContentHash, BaselineDrift) = (version, twin, trainedAt, contentHash, null);
        BaselineAccuracy = null;
    }

    /// <summary>Records that the device runs the model of <paramref name="package"/> (read back after a restart).
    /// </summary>
    public void Adopt(FieldDevice package)
    {
        ArgumentNullException.ThrowIfNull(package);
        if (package.DeviceId != DeviceId)
        {
            throw new ArgumentException(
                $"A package of '{package.DeviceId}' cannot describe '{DeviceId}'.", nameof(package));
        }

        (_parameters, Version, Twin) = (package._parameters, package.Version, package.Twin);
        (TrainedAt, ContentHash, Recipe) = (package.TrainedAt, package.ContentHash, package.Recipe);
        _audioInput = package.AudioInput;
        (BaselineDrift, BaselineAccuracy) = (null, null);
    }

    /// <summary>
    /// Records that the agent runs <paramref name="version"/>, of which the trainer has no package: its number is
    /// known (the next offer must be newer) and its drift reference is measured afresh, but sessions fine-tune from
    /// the parameters known so far.
    /// </summary>
    public void AdoptVersion(int version)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(version, 1);
        (Version, ContentHash, BaselineDrift, BaselineAccuracy) = (version, null, null, null);
    }

    private static float[][] Snapshot(PnnModel model)
    {
        var copy = new float[model.Parameters.Count][];
        for (var i = 0; i < copy.Length; i++)
        {
            copy[i] = [.. model.Parameters[i].Value];
        }

        return copy;
    }
}
