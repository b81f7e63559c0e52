namespace Edge.Devices.Adc;

/// <summary>The ADS1115 config register (datasheet table 8-7) as typed fields; <see cref="Encode"/>/<see cref="Decode"/> give its 16 bits.</summary>
/// <param name="Mux">Input multiplexer.</param>
/// <param name="Pga">Full-scale range.</param>
/// <param name="Mode">Continuous or single-shot.</param>
/// <param name="DataRate">Samples per second.</param>
/// <param name="ComparatorMode">Traditional or window.</param>
/// <param name="ComparatorPolarity">ALERT/RDY polarity.</param>
/// <param name="ComparatorLatching">Whether ALERT/RDY latches until read (COMP_LAT).</param>
/// <param name="ComparatorQueue">Conversions before ALERT/RDY asserts, or disabled.</param>
public sealed record Ads1115Config(
    Ads1115Mux Mux = Ads1115Mux.Ain0Ain1,
    Ads1115Pga Pga = Ads1115Pga.Fsr2V048,
    Ads1115Mode Mode = Ads1115Mode.SingleShot,
    Ads1115DataRate DataRate = Ads1115DataRate.Sps128,
    Ads1115ComparatorMode ComparatorMode = Ads1115ComparatorMode.Traditional,
    Ads1115ComparatorPolarity ComparatorPolarity = Ads1115ComparatorPolarity.ActiveLow,
    bool ComparatorLatching = false,
    Ads1115ComparatorQueue ComparatorQueue = Ads1115ComparatorQueue.Disable)
{
    /// <summary>OS bit (15): written 1 starts a single-shot conversion; read 0 while converting, 1 when idle.</summary>
    public const ushort OperationalStatusBit = 1 << 15;

    /// <summary>The power-on value of the register, 0x8583.</summary>
    public const ushort PowerOnValue = 0x8583;

    /// <summary>The register's 16 bits with OS = <paramref name="startConversion"/>.</summary>
    public ushort Encode(bool startConversion = false)
    {
        Check((uint)Mux <= 7, nameof(Mux));
        Check((uint)Pga <= 7, nameof(Pga));
        Check((uint)Mode <= 1, nameof(Mode));
        Check((uint)DataRate <= 7, nameof(DataRate));
        Check((uint)ComparatorMode <= 1, nameof(ComparatorMode));
        Check((uint)ComparatorPolarity <= 1, nameof(ComparatorPolarity));
        Check((uint)ComparatorQueue <= 3, nameof(ComparatorQueue));
        return (ushort)((startConversion ? OperationalStatusBit : 0)
            | ((int)Mux << 12) | ((int)Pga << 9) | ((int)Mode << 8) | ((int)DataRate << 5)
            | ((int)ComparatorMode << 4) | ((int)ComparatorPolarity << 3) | ((ComparatorLatching ? 1 : 0) << 2)
            | (int)ComparatorQueue);
    }

    /// <summary>Decodes the register's 16 bits (the OS bit is not part of the config and is dropped).</summary>
    public static Ads1115Config Decode(ushort value)
    {
        var pga = (value >> 9) & 0b111;
        return new Ads1115Config(
            (Ads1115Mux)((value >> 12) & 0b111),
            (Ads1115Pga)Math.Min(pga, (int)Ads1115Pga.Fsr0V256),
            (Ads1115Mode)((value >> 8) & 1),
            (Ads1115DataRate)((value >> 5) & 0b111),
            (Ads1115ComparatorMode)((value >> 4) & 1),
            (Ads1115ComparatorPolarity)((value >> 3) & 1),
            ((value >> 2) & 1) != 0,
            (Ads1115ComparatorQueue)(value & 0b11));
    }

    /// <summary>Full-scale voltage of <paramref name="pga"/> (the ± limit).</summary>
    public static double FullScaleVolts(Ads1115Pga pga) => pga switch
    {
        Ads1115Pga.Fsr6V144 => 6.144,
        Ads1115Pga.Fsr4V096 => 4.096,
        Ads1115Pga.Fsr2V048 => 2.048,
        Ads1115Pga.Fsr1V024 => 1.024,
        Ads1115Pga.Fsr0V512 => 0.512,
        Ads1115Pga.Fsr0V256 => 0.256,
        _ => throw new ArgumentOutOfRangeException(nameof(pga), pga, "ADS1115 PGA setting must be one of the six ranges."),
    };

    /// <summary>Samples per second of <paramref name="rate"/>.</summary>
    public static int SamplesPerSecond(Ads1115DataRate rate) => rate switch
    {
        Ads1115DataRate.Sps8 => 8,
        Ads1115DataRate.Sps16 => 16,
        Ads1115DataRate.Sps32 => 32,
        Ads1115DataRate.Sps64 => 64,
        Ads1115DataRate.Sps128 => 128,
        Ads1115DataRate.Sps250 => 250,
        Ads1115DataRate.Sps475 => 475,
        Ads1115DataRate.Sps860 => 860,
        _ => throw new ArgumentOutOfRangeException(nameof(rate), rate, "ADS1115 data rate must be one of the eight DR settings."),
    };

    private static void Check(bool ok, string field)
    {
        if (!ok)
        {
            throw new ArgumentOutOfRangeException(field, $"ADS1115 config field {field} is out of range.");
        }
    }
}
