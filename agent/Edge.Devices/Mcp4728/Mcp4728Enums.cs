namespace Edge.Devices.Dac;

/// <summary>MCP4728 output channel (DAC1:DAC0 select bits).</summary>
public enum Mcp4728Channel : byte
{
    /// <summary>Channel A.</summary>
    A = 0,

    /// <summary>Channel B.</summary>
    B = 1,

    /// <summary>Channel C.</summary>
    C = 2,

    /// <summary>Channel D.</summary>
    D = 3,
}

/// <summary>MCP4728 voltage reference selection (V_REF bit).</summary>
public enum Mcp4728Reference : byte
{
    /// <summary>External reference: V_DD.</summary>
    Vdd = 0,

    /// <summary>Internal 2.048 V reference.</summary>
    Internal2V048 = 1,
}

/// <summary>MCP4728 output gain (G bit); only applies with the internal reference.</summary>
public enum Mcp4728Gain : byte
{
    /// <summary>Gain ×1: full scale 2.048 V.</summary>
    X1 = 0,

    /// <summary>Gain ×2: full scale 4.096 V (V_DD must exceed it).</summary>
    X2 = 1,
}

/// <summary>MCP4728 power-down selection bits PD1:PD0.</summary>
public enum Mcp4728PowerDown : byte
{
    /// <summary>Normal operation.</summary>
    Normal = 0b00,

    /// <summary>Output to ground through 1 kΩ.</summary>
    Pulldown1K = 0b01,

    /// <summary>Output to ground through 100 kΩ.</summary>
    Pulldown100K = 0b10,

    /// <summary>Output to ground through 500 kΩ.</summary>
    Pulldown500K = 0b11,
}
