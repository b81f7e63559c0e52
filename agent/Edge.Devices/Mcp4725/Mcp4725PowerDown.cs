namespace Edge.Devices.Dac;

/// <summary>MCP4725 power-down selection bits PD1:PD0 (datasheet table 5-2).</summary>
public enum Mcp4725PowerDown : byte
{
    /// <summary>Normal operation: the output follows the DAC register.</summary>
    Normal = 0b00,

    /// <summary>Powered down, output pulled to ground through 1 kΩ.</summary>
    Pulldown1K = 0b01,

    /// <summary>Powered down, output pulled to ground through 100 kΩ.</summary>
    Pulldown100K = 0b10,

    /// <summary>Powered down, output pulled to ground through 500 kΩ.</summary>
    Pulldown500K = 0b11,
}
