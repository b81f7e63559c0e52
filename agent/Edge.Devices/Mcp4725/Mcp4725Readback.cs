namespace Edge.Devices.Dac;

/// <summary>What an MCP4725 read returns (datasheet figure 6-3): its status, DAC register and EEPROM
/// contents.</summary>
/// <param name="EepromBusy">RDY/BSY = 0: an EEPROM write is still in progress.</param>
/// <param name="PowerOnReset">POR bit: the device has completed its power-on reset.</param>
/// <param name="PowerDown">Power-down bits of the DAC register.</param>
/// <param name="DacCode">12-bit code of the DAC register.</param>
/// <param name="EepromPowerDown">Power-down bits stored in EEPROM (loaded at power-on).</param>
/// <param name="EepromCode">12-bit code stored in EEPROM (loaded at power-on).</param>
public readonly record struct Mcp4725Readback(
    bool EepromBusy,
    bool PowerOnReset,
    Mcp4725PowerDown PowerDown,
    int DacCode,
    Mcp4725PowerDown EepromPowerDown,
    int EepromCode);
