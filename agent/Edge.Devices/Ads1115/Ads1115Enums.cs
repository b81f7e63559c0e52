namespace Edge.Devices.Adc;

/// <summary>ADS1115 address-pointer register values (datasheet table 8-6).</summary>
public enum Ads1115Register : byte
{
    /// <summary>Conversion register: the last result, two's complement.</summary>
    Conversion = 0b00,

    /// <summary>Config register.</summary>
    Config = 0b01,

    /// <summary>Comparator low threshold.</summary>
    LoThresh = 0b10,

    /// <summary>Comparator high threshold.</summary>
    HiThresh = 0b11,
}

/// <summary>Input multiplexer MUX[2:0] (config bits 14:12).</summary>
public enum Ads1115Mux : byte
{
    /// <summary>AIN_P = AIN0, AIN_N = AIN1 (default).</summary>
    Ain0Ain1 = 0b000,

    /// <summary>AIN_P = AIN0, AIN_N = AIN3.</summary>
    Ain0Ain3 = 0b001,

    /// <summary>AIN_P = AIN1, AIN_N = AIN3.</summary>
    Ain1Ain3 = 0b010,

    /// <summary>AIN_P = AIN2, AIN_N = AIN3.</summary>
    Ain2Ain3 = 0b011,

    /// <summary>AIN_P = AIN0, AIN_N = GND.</summary>
    Ain0 = 0b100,

    /// <summary>AIN_P = AIN1, AIN_N = GND.</summary>
    Ain1 = 0b101,

    /// <summary>AIN_P = AIN2, AIN_N = GND.</summary>
    Ain2 = 0b110,

    /// <summary>AIN_P = AIN3, AIN_N = GND.</summary>
    Ain3 = 0b111,
}

/// <summary>Programmable gain amplifier PGA[2:0] (config bits 11:9): the full-scale range.</summary>
public enum Ads1115Pga : byte
{
    /// <summary>±6.144 V.</summary>
    Fsr6V144 = 0b000,

    /// <summary>±4.096 V.</summary>
    Fsr4V096 = 0b001,

    /// <summary>±2.048 V (default).</summary>
    Fsr2V048 = 0b010,

    /// <summary>±1.024 V.</summary>
    Fsr1V024 = 0b011,

    /// <summary>±0.512 V.</summary>
    Fsr0V512 = 0b100,

    /// <summary>±0.256 V (codes 101, 110 and 111 all select it).</summary>
    Fsr0V256 = 0b101,
}

/// <summary>Data rate DR[2:0] (config bits 7:5), in samples per second.</summary>
public enum Ads1115DataRate : byte
{
    /// <summary>8 SPS.</summary>
    Sps8 = 0b000,

    /// <summary>16 SPS.</summary>
    Sps16 = 0b001,

    /// <summary>32 SPS.</summary>
    Sps32 = 0b010,

    /// <summary>64 SPS.</summary>
    Sps64 = 0b011,

    /// <summary>128 SPS (default).</summary>
    Sps128 = 0b100,

    /// <summary>250 SPS.</summary>
    Sps250 = 0b101,

    /// <summary>475 SPS.</summary>
    Sps475 = 0b110,

    /// <summary>860 SPS.</summary>
    Sps860 = 0b111,
}

/// <summary>Operating mode MODE (config bit 8).</summary>
public enum Ads1115Mode : byte
{
    /// <summary>Continuous conversion.</summary>
    Continuous = 0,

    /// <summary>Single-shot conversion, then power down (default).</summary>
    SingleShot = 1,
}

/// <summary>Comparator mode COMP_MODE (config bit 4).</summary>
public enum Ads1115ComparatorMode : byte
{
    /// <summary>Traditional comparator with hysteresis (default).</summary>
    Traditional = 0,

    /// <summary>Window comparator.</summary>
    Window = 1,
}

/// <summary>Comparator polarity COMP_POL (config bit 3) of the ALERT/RDY pin.</summary>
public enum Ads1115ComparatorPolarity : byte
{
    /// <summary>Active low (default).</summary>
    ActiveLow = 0,

    /// <summary>Active high.</summary>
    ActiveHigh = 1,
}

/// <summary>Comparator queue COMP_QUE[1:0] (config bits 1:0): conversions beyond a threshold before ALERT/RDY asserts.</summary>
public enum Ads1115ComparatorQueue : byte
{
    /// <summary>Assert after one conversion.</summary>
    AssertAfterOne = 0b00,

    /// <summary>Assert after two conversions.</summary>
    AssertAfterTwo = 0b01,

    /// <summary>Assert after four conversions.</summary>
    AssertAfterFour = 0b10,

    /// <summary>Comparator disabled, ALERT/RDY high impedance (default).</summary>
    Disable = 0b11,
}
