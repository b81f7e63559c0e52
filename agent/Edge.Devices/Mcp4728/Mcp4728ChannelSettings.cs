namespace Edge.Devices.Dac;

/// <summary>Everything one MCP4728 channel register (or its EEPROM copy) holds.</summary>
/// <param name="Code">12-bit input code.</param>
/// <param name="Reference">Reference selection.</param>
/// <param name="Gain">Gain selection.</param>
/// <param name="PowerDown">Power-down selection.</param>
public readonly record struct Mcp4728ChannelSettings(
    int Code,
    Mcp4728Reference Reference = Mcp4728Reference.Internal2V048,
    Mcp4728Gain Gain = Mcp4728Gain.X1,
    Mcp4728PowerDown PowerDown = Mcp4728PowerDown.Normal);

/// <summary>One channel as read back (datasheet figure 5-15): the DAC register, its EEPROM copy and the status
/// bits.</summary>
/// <param name="Channel">The channel these bytes describe.</param>
/// <param name="EepromBusy">RDY/BSY = 0: an EEPROM write is in progress.</param>
/// <param name="PowerOnReset">POR bit.</param>
/// <param name="Register">The input register.</param>
/// <param name="Eeprom">The EEPROM copy loaded at power-on.</param>
public readonly record struct Mcp4728ChannelReadback(
    Mcp4728Channel Channel,
    bool EepromBusy,
    bool PowerOnReset,
    Mcp4728ChannelSettings Register,
    Mcp4728ChannelSettings Eeprom);
