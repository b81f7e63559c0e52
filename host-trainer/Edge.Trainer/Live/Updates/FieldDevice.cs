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

    /// <summary>Tracks <paramref name="deviceId"/> running <paramref name="model"/> as <paramref name="version"/>, described by <paramref name="twin"/>.</summary>
    public FieldDevice(string deviceId, PnnModel model, int version, ITwin twin, DateTimeOffset trainedAt)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(deviceId);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(twin);
        ArgumentOutOfRangeException.ThrowIfLessThan(version, 1);
        DeviceId = deviceId;
        _parameters = Snapshot(model);
        Version = version;
        Twin = twin;
        TrainedAt = trainedAt;
    }

    /// <summary>The agent's device id.</summary>
    public string DeviceId { get; }

    /// <summary>Version of the model the agent runs.</summary>
    public int Version { get; private set; }

    /// <summary>The twin of this device as last fitted.</summary>
    public ITwin Twin { get; private set; }

    /// <summary>When the running model was trained (the schedule and the cooldown count from here).</summary>
    public DateTimeOffset TrainedAt { get; private set; }

    /// <summary>
    /// The drift score measured first after the running model was trained (null until then): later scores are
    /// compared with it, so a twin that never matched this part exactly does not count as drift.
    /// </summary>
    public double? BaselineDrift { get; set; }

    /// <summary>The field updates of this device, oldest first.</summary>
    public List<FieldUpdateOutcome> History { get; } = [];

    /// <summary>Copies the running model's parameters into <paramref name="model"/> (same architecture).</summary>
    public void LoadInto(PnnModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.Parameters.Count != _parameters.Length)
        {
            throw new InvalidOperationException($"Device '{DeviceId}' runs a model with {_parameters.Length} parameter tensors; the model to load has {model.Parameters.Count}.");
        }

        for (var i = 0; i < _parameters.Length; i++)
        {
            var target = model.Parameters[i].Value;
            if (target.Length != _parameters[i].Length)
            {
                throw new InvalidOperationException($"Device '{DeviceId}': parameter '{model.Parameters[i].Name}' has {target.Length} values; the running model's has {_parameters[i].Length}.");
            }

            _parameters[i].CopyTo(target, 0);
        }
    }

    /// <summary>Records that <paramref name="model"/> now runs on the device as <paramref name="version"/>.</summary>
    public void Accept(PnnModel model, int version, ITwin twin, DateTimeOffset trainedAt)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(twin);
        _parameters = Snapshot(model);
        (Version, Twin, TrainedAt, BaselineDrift) = (version, twin, trainedAt, null);
    }

    /// <summary>Keeps the running model but adopts a refitted twin (the device changed even if the update was refused).</summary>
    public void AdoptTwin(ITwin twin)
    {
        Twin = twin ?? throw new ArgumentNullException(nameof(twin));
        BaselineDrift = null;
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
