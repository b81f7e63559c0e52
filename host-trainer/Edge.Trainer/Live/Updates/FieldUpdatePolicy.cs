namespace Edge.Trainer.Live.Updates;

/// <summary>When the trainer re-trains a deployed device on its own, without a person.</summary>
public sealed record FieldUpdatePolicy
{
    /// <summary>How often each device's drift is scored.</summary>
    public TimeSpan CheckInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Re-train at least this often even without drift; null: only on drift.</summary>
    public TimeSpan? Schedule { get; init; }

    /// <summary>
    /// Relative rise of the device-vs-twin NMSE on the newest sampled traffic over its level just after the device's
    /// model was trained (0.15: 15 % worse), above which a drift update starts. Relative to the device's own level,
    /// not absolute: how well a twin describes a part on field traffic differs from part to part, and a twin that
    /// was never exact is no reason to re-train.
    /// </summary>
    public double DriftThreshold { get; init; } = 0.15;

    /// <summary>How many of the newest measurements the drift score uses.</summary>
    public int DriftSamples { get; init; } = 300;

    /// <summary>Fewer measurements than this give no score (too noisy to act on).</summary>
    public int MinimumSamples { get; init; } = 150;

    /// <summary>No drift update sooner than this after the previous update of the same device.</summary>
    public TimeSpan Cooldown { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting out of range.</summary>
    public FieldUpdatePolicy Validate()
    {
        Positive(CheckInterval, nameof(CheckInterval));
        if (Schedule is { } schedule)
        {
            Positive(schedule, nameof(Schedule));
        }

        if (!double.IsFinite(DriftThreshold) || DriftThreshold <= 0)
        {
            throw new ArgumentException($"Field updates: {nameof(DriftThreshold)} must be a positive relative rise (0.15 = 15 %), got {DriftThreshold}.");
        }

        if (MinimumSamples < 1 || DriftSamples < MinimumSamples)
        {
            throw new ArgumentException($"Field updates: need 1 <= {nameof(MinimumSamples)} ({MinimumSamples}) <= {nameof(DriftSamples)} ({DriftSamples}).");
        }

        if (Cooldown < TimeSpan.Zero)
        {
            throw new ArgumentException($"Field updates: {nameof(Cooldown)} must not be negative, got {Cooldown}.");
        }

        return this;

        static void Positive(TimeSpan value, string name)
        {
            if (value <= TimeSpan.Zero)
            {
                throw new ArgumentException($"Field updates: {name} must be positive, got {value}.");
            }
        }
    }

    /// <summary>Why, if at all, a device with this history and drift score is due for an update at <paramref name="now"/>.</summary>
    /// <param name="now">The current time.</param>
    /// <param name="lastUpdate">When the device's model was last trained.</param>
    /// <param name="driftRise">Relative rise of its drift score over its baseline, or null when there is no score yet.</param>
    public UpdateReason Due(DateTimeOffset now, DateTimeOffset lastUpdate, double? driftRise)
    {
        var since = now - lastUpdate;
        if (driftRise > DriftThreshold && since >= Cooldown)
        {
            return UpdateReason.Drift;
        }

        return Schedule is { } schedule && since >= schedule ? UpdateReason.Schedule : UpdateReason.None;
    }
}

/// <summary>Why a field update started.</summary>
public enum UpdateReason
{
    /// <summary>Not due.</summary>
    None,

    /// <summary>The device drifted away from its twin.</summary>
    Drift,

    /// <summary>The periodic schedule came round.</summary>
    Schedule,
}
