namespace Edge.Agent.Configuration;

/// <summary>The chips and wiring of the Direct backend, bound from <c>Edge:Device:Direct</c>.</summary>
public sealed class DirectBackendOptions
{
    /// <summary>DAC chip: <c>mcp4725</c>, <c>mcp4728</c> or <c>mcp4922</c>.</summary>
    public string Dac { get; set; } = "mcp4922";

    /// <summary>DAC output used (0 for single-channel parts, 0–3 on the MCP4728, 0–1 on the MCP4922).</summary>
    public int DacChannel { get; set; }

    /// <summary>ADC chip: <c>ads1115</c>, <c>mcp3008</c> or <c>mcp3208</c>.</summary>
    public string Adc { get; set; } = "mcp3208";

    /// <summary>ADC input used (0–3 on the ADS1115, 0–7 on the MCP3x08).</summary>
    public int AdcChannel { get; set; }

    /// <summary>I2C bus number (<c>/dev/i2c-N</c>).</summary>
    public int I2cBus { get; set; } = 1;

    /// <summary>I2C address of an I2C DAC.</summary>
    public int DacAddress { get; set; } = 0x60;

    /// <summary>I2C address of an I2C ADC.</summary>
    public int AdcAddress { get; set; } = 0x48;

    /// <summary>SPI bus number (<c>/dev/spidevN.x</c>).</summary>
    public int SpiBus { get; set; }

    /// <summary>Chip-select line of an SPI DAC.</summary>
    public int DacChipSelect { get; set; }

    /// <summary>Chip-select line of an SPI ADC.</summary>
    public int AdcChipSelect { get; set; } = 1;

    /// <summary>SPI clock of an SPI DAC, in hertz.</summary>
    public int DacSpiClockHz { get; set; } = 10_000_000;

    /// <summary>SPI clock of an SPI ADC, in hertz.</summary>
    public int AdcSpiClockHz { get; set; } = 1_000_000;

    /// <summary>Reference voltage of the DAC (V_DD or V_REF): its top code spans the layer's DAC range.</summary>
    public double DacReferenceVolts { get; set; } = 3.3;

    /// <summary>Reference voltage of an MCP3x08 ADC (the ADS1115 uses its ±4.096 V range).</summary>
    public double AdcReferenceVolts { get; set; } = 3.3;

    /// <summary>Time the DAC rests at its safe value between drives so the layer settles, in milliseconds.</summary>
    public double InterDriveGapMilliseconds { get; set; }

    /// <summary>
    /// Emulated backend only: a file whose content injects a fault into the emulated chips while it lasts —
    /// <c>adc-stuck</c>, <c>adc-saturated</c> or <c>dac-unresponsive</c> (I2C DACs); absent, empty or <c>none</c> means
    /// no fault. Read at most every 50 ms while the chips are in use, so a fault bench can start and end faults.
    /// </summary>
    public string FaultFile { get; set; } = "";
}
