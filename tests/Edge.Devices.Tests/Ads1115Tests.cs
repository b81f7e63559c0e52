using System.Device.I2c;
using Edge.Devices.Adc;
using Edge.Devices.Emulation;
using FsCheck.Xunit;
using Iot.Device.Ads1115;

namespace Edge.Devices.Tests;

/// <summary>The dotnet/iot ADS1115 binding behind <see cref="Ads1115Input"/>, against the register-level
/// emulator.</summary>
public sealed class Ads1115Tests
{
    // Config register fields (datasheet table 8-7) the comparator tests write by hand: AIN0 single-ended, ±2.048 V,
    // single-shot, 860 SPS, traditional, active low, non-latching; COMP_QUE in the two low bits.
    private const ushort Ain0Fsr2V048SingleShot860 = (0b100 << 12) | (0b010 << 9) | (1 << 8) | (0b111 << 5);
    private const ushort StartConversion = 0x8000;
    private const byte ConversionRegister = 0;
    private const byte ConfigRegister = 1;
    private const byte LoThreshRegister = 2;
    private const byte HiThreshRegister = 3;

    [Theory]
    [InlineData(MeasuringRange.FS6144, 187.5e-6)]
    [InlineData(MeasuringRange.FS4096, 125e-6)]
    [InlineData(MeasuringRange.FS2048, 62.5e-6)]
    [InlineData(MeasuringRange.FS1024, 31.25e-6)]
    [InlineData(MeasuringRange.FS0512, 15.625e-6)]
    [InlineData(MeasuringRange.FS0256, 7.8125e-6)]
    public void One_lsb_is_the_datasheet_step_for_each_range(MeasuringRange range, double lsb)
    {
        // Datasheet table 8-1 (full scale and LSB size) and 8-3 (+FS = 7FFFh, −FS = 8000h).
        using var adc = new Ads1115Input(new Ads1115Emulator(new VirtualClock()), InputMultiplexer.AIN0, range);
        var fullScale = adc.Chip.MaxVoltageFromMeasuringRange(range).Volts;

        Assert.Equal(lsb, adc.Chip.RawToVoltage(1).Volts, 15);
        Assert.Equal(-fullScale, adc.Chip.RawToVoltage(short.MinValue).Volts, 12);
        Assert.Equal(fullScale - lsb, adc.Chip.RawToVoltage(short.MaxValue).Volts, 12);
    }

    [Fact]
    public void Single_shot_conversion_takes_one_sample_period_and_reads_the_input()
    {
        var clock = new VirtualClock();
        var chip = new Ads1115Emulator(clock);
        chip.Connect(2, new ConstantVoltage(1.0));
        using var adc = new Ads1115Input(chip, InputMultiplexer.AIN2, MeasuringRange.FS2048, DataRate.SPS860);

        var start = clock.Seconds;
        var code = adc.Read();

        Assert.Equal(16000, code);
        Assert.InRange(clock.Seconds - start, 1.0 / 860, 1.0 / 860 + 0.001);
        Assert.Equal(1.0, adc.Chip.ReadVoltage(InputMultiplexer.AIN2).Volts, 4);
        Assert.Equal((0, 32767, 860.0), (adc.MinCode, adc.MaxCode, adc.MaxSampleRateHz));
    }

    [Fact]
    public void Differential_inputs_and_clipping_follow_the_pga()
    {
        var clock = new VirtualClock();
        var chip = new Ads1115Emulator(clock);
        chip.Connect(0, new ConstantVoltage(0.3));
        chip.Connect(1, new ConstantVoltage(0.8));
        using var adc = new Ads1115Input(chip, InputMultiplexer.AIN0_AIN1, MeasuringRange.FS1024, DataRate.SPS475);

        Assert.Equal(short.MinValue, adc.MinCode);
        Assert.Equal(-16000, adc.Read());
        adc.Chip.MeasuringRange = MeasuringRange.FS0256;
        Assert.Equal(short.MinValue, adc.Read());
    }

    [Fact]
    public void Continuous_mode_tracks_the_input_without_restarting()
    {
        var clock = new VirtualClock();
        var chip = new Ads1115Emulator(clock);
        var input = new ConstantVoltage(0.5);
        chip.Connect(0, input);
        using var adc = new Ads1115(
            chip, InputMultiplexer.AIN0, MeasuringRange.FS4096, DataRate.SPS250, DeviceMode.Continuous);

        clock.Advance(0.01);
        Assert.Equal(4000, adc.ReadRaw());
        var conversions = chip.Conversions;
        input.Volts = 1.0;
        clock.Advance(0.01);
        Assert.Equal(8000, adc.ReadRaw());
        Assert.True(chip.Conversions >= conversions + 2, $"{chip.Conversions - conversions} conversions in 10 ms");
    }

    [Fact]
    public void Emulated_alert_rdy_signals_conversion_ready_and_comparator_thresholds()
    {
        // The binding drives ALERT/RDY only with a GPIO controller; the emulator's comparator is pinned register by
        // register, as the datasheet (9.3.8) describes it.
        var clock = new VirtualClock();
        var chip = new Ads1115Emulator(clock);
        var input = new ConstantVoltage(0.1);
        chip.Connect(0, input);

        WriteRegister(chip, HiThreshRegister, 0x8000);
        WriteRegister(chip, LoThreshRegister, 0x0000);
        Convert(chip, Ain0Fsr2V048SingleShot860);
        Assert.True(chip.AlertAsserted);

        WriteRegister(chip, LoThreshRegister, 8000);
        WriteRegister(chip, HiThreshRegister, 16000);
        const ushort assertAfterTwo = Ain0Fsr2V048SingleShot860 | 0b01;
        input.Volts = 1.5;
        Convert(chip, assertAfterTwo);
        Assert.False(chip.AlertAsserted);
        Convert(chip, assertAfterTwo);
        Assert.True(chip.AlertAsserted);
        input.Volts = 0.1;
        Convert(chip, assertAfterTwo);
        Assert.False(chip.AlertAsserted);
    }

    [Fact]
    public void A_missing_chip_a_stuck_conversion_and_a_bad_input_are_reported()
    {
        var clock = new VirtualClock();
        var chip = new Ads1115Emulator(clock);
        using var adc = new Ads1115Input(chip, InputMultiplexer.AIN0);

        chip.NackNextTransfers = 1;
        Assert.Throws<IOException>(() => adc.Read());
        Assert.Throws<TimeoutException>(() => new Ads1115Input(new StuckConverter(clock), InputMultiplexer.AIN0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Ads1115Input(chip, (InputMultiplexer)8));
    }

    [Fact]
    public void Disposing_a_chip_that_stopped_answering_still_releases_the_bus()
    {
        var chip = new Ads1115Emulator(new VirtualClock());
        var device = new ReleaseRecordingDevice(chip);
        var adc = new Ads1115Input(device, InputMultiplexer.AIN0);
        chip.Unresponsive = true;

        adc.Dispose();

        Assert.True(device.Disposed);
    }

    [Property]
    public void Any_input_inside_the_range_reads_back_within_half_an_lsb(short millivoltsRaw)
    {
        var volts = millivoltsRaw % 2048 / 1000.0;
        var clock = new VirtualClock();
        var chip = new Ads1115Emulator(clock);
        chip.Connect(0, new ConstantVoltage(volts));
        chip.Connect(1, new ConstantVoltage(0));
        using var adc = new Ads1115Input(chip, InputMultiplexer.AIN0_AIN1, MeasuringRange.FS2048);

        Assert.InRange(adc.Chip.RawToVoltage((short)adc.Read()).Volts - volts, -31.25e-6 - 1e-12, 31.25e-6 + 1e-12);
    }

    private static void WriteRegister(Ads1115Emulator chip, byte register, int value)
        => chip.Write([register, (byte)(value >> 8), (byte)value]);

    private static short Convert(Ads1115Emulator chip, ushort config)
    {
        WriteRegister(chip, ConfigRegister, StartConversion | config);
        chip.Clock.Advance(1.0 / 860);
        Span<byte> code = stackalloc byte[2];
        chip.WriteRead([ConversionRegister], code);
        return (short)((code[0] << 8) | code[1]);
    }

    /// <summary>A chip whose OS bit never comes back: the binding must give up rather than hang.</summary>
    private sealed class StuckConverter(VirtualClock clock) : EmulatedI2cDevice(new(1, 0x48), clock, 400_000)
    {
        protected override void OnWrite(ReadOnlySpan<byte> data)
        {
        }

        protected override void OnRead(Span<byte> buffer) => buffer.Clear();
    }

    /// <summary>An emulated ADS1115 seen through a device that remembers being released.</summary>
    private sealed class ReleaseRecordingDevice(Ads1115Emulator chip) : I2cDevice
    {
        public bool Disposed { get; private set; }

        public override I2cConnectionSettings ConnectionSettings => chip.ConnectionSettings;

        public override byte ReadByte() => chip.ReadByte();

        public override void Read(Span<byte> buffer) => chip.Read(buffer);

        public override void WriteByte(byte value) => chip.WriteByte(value);

        public override void Write(ReadOnlySpan<byte> buffer) => chip.Write(buffer);

        public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
            => chip.WriteRead(writeBuffer, readBuffer);

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }
}
