namespace Edge.Domain.Simulation;

/// <summary>
/// How far a simulated part departs from its datasheet. Every effect is on by default in the system factories and
/// can be switched off one by one, e.g. to compare the simulation with the differentiable physics.
/// </summary>
public sealed record Imperfections
{
    /// <summary>Multiplier on each coefficient's tolerance for the part-to-part spread (0 = an exactly nominal
    /// part).</summary>
    public double PartSpread { get; init; } = 1.0;

    /// <summary>Standard deviation of analog noise added to every drive segment after the DAC, in DAC units.</summary>
    public double DriveNoise { get; init; }

    /// <summary>Standard deviation of noise added to every output bin before the ADC, fresh at every pass.</summary>
    public double ReadoutNoise { get; init; }

    /// <summary>Standard deviation, in kelvin, of the temperature random-walk step taken per played drive.</summary>
    public double DriftKelvinPerDrive { get; init; }

    /// <summary>
    /// Drives after which the temperature has forgotten half of its excursion (an Ornstein–Uhlenbeck walk, as a
    /// thermostatted lab behaves); 0 means a free random walk.
    /// </summary>
    public double DriftHalfLifeDrives { get; init; }

    /// <summary>
    /// Idle time between consecutive drives, in seconds, during which the player holds the DAC at 0 and the layer
    /// rings down freely. Layers with internal state (<see cref="Physics.IStatefulPhysics"/>) start each drive from
    /// what is left of the previous one; infinity (the default) means every drive starts at rest.
    /// </summary>
    public double SettlingGapSeconds { get; init; } = double.PositiveInfinity;

    /// <summary>Round drive values to the DAC's codes.</summary>
    public bool DacQuantisation { get; init; } = true;

    /// <summary>Round readings to the ADC's codes.</summary>
    public bool AdcQuantisation { get; init; } = true;

    /// <summary>Clip drives at the DAC rails and readings at the ADC range.</summary>
    public bool Saturation { get; init; } = true;

    /// <summary>
    /// Effects of the part in the field that the twin's equations do not contain (the "field" profile,
    /// <see cref="Field.FieldProfiles"/>); null is the lab part.
    /// </summary>
    public Field.FieldEffects? Field { get; init; }

    /// <summary>An ideal part: nominal values, no noise, no drift, no converter effects.</summary>
    public static Imperfections None { get; } = new()
    {
        PartSpread = 0,
        DacQuantisation = false,
        AdcQuantisation = false,
        Saturation = false,
    };

    /// <summary>Checks the values and names the first bad one.</summary>
    public Imperfections Validate()
    {
        Check(nameof(PartSpread), PartSpread);
        Check(nameof(DriveNoise), DriveNoise);
        Check(nameof(ReadoutNoise), ReadoutNoise);
        Check(nameof(DriftKelvinPerDrive), DriftKelvinPerDrive);
        Check(nameof(DriftHalfLifeDrives), DriftHalfLifeDrives);
        if (double.IsNaN(SettlingGapSeconds) || SettlingGapSeconds < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(SettlingGapSeconds), SettlingGapSeconds,
                $"Imperfection '{nameof(SettlingGapSeconds)}' must be >= 0 (infinity: every drive starts at rest).");
        }

        Field?.Validate();
        return this;

        static void Check(string name, double value)
        {
            if (!double.IsFinite(value) || value < 0)
            {
                throw new ArgumentOutOfRangeException(name, value,
                    $"Imperfection '{name}' must be a finite value >= 0.");
            }
        }
    }
}
