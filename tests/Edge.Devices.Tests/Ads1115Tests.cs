using Edge.Devices.Adc;
using Edge.Devices.Emulation;
using FsCheck.Xunit;

namespace Edge.Devices.Tests;

public sealed class Ads1115Tests
{
    [Fact]
    public void Power_on_config_with_os_set_is_0x8583()
    {
        Assert.Equal(0x8583, new Ads1115Config().Encode(startConversion: true));
        Assert.Equal(new Ads1115Config(), Ads1115Config.Decode(0x8583));
    }

    [Theory]
    [InlineData(Ads1115Pga.Fsr6V144, 187.5e-6)]
    [InlineData(Ads1115Pga.Fsr4V096, 125e-6)]
    [InlineData(Ads1115Pga.Fsr2V048, 62.5e-6)]
    [InlineData(Ads1115Pga.Fsr1V024, 31.25e-6)]
    [InlineData(Ads1115Pga.Fsr0V512, 15.625e-6)]
    [InlineData(Ads1115Pga.Fsr0V256, 7.8125e-6)]
    public void One_lsb_is_the_datasheet_step_for_each_range(Ads1115Pga pga, double lsb)
    {
        // Datasheet table 8-1 (full scale and LSB size) and 8-3 (+FS = 7FFFh, −FS = 8000h).
        Assert.Equal(lsb, Ads1115.ToVolts(1, pga), 15);
        Assert.Equal(-Ads1115Config.FullScaleVolts(pga), Ads1115.ToVolts(short.MinValue, pga), 12);
        Assert.Equal(Ads1115Config.FullScaleVolts(pga) - lsb, Ads1115.ToVolts(short.MaxValue, pga), 12);
    }

    [Fact]
    public void Single_shot_conversion_takes_one_sample_period_and_reads_the_input()
    {
        var clock = new VirtualClock();
        var chip = new Ads1115Emulator(clock);
        chip.Connect(2, new ConstantVoltage(1.0));
        using var adc = new Ads1115(chip, new Ads1115Config(Ads1115Mux.Ain2, Ads1115Pga.Fsr2V048, DataRate: Ads1115DataRate.Sps860), clock);

        var start = clock.Seconds;
        var code = adc.ReadRaw();

        Assert.Equal(16000, code);
        Assert.InRange(clock.Seconds - start, 1.0 / 860, 1.0 / 860 + 0.001);
        Assert.Equal(1.0, adc.ReadVolts(), 4);
    }

    [Fact]
    public void Differential_inputs_and_clipping_follow_the_pga()
    {
        var clock = new VirtualClock();
        var chip = new Ads1115Emulator(clock);
        chip.Connect(0, new ConstantVoltage(0.3));
        chip.Connect(1, new ConstantVoltage(0.8));
        using var adc = new Ads1115(chip, new Ads1115Config(Ads1115Mux.Ain0Ain1, Ads1115Pga.Fsr1V024, DataRate: Ads1115DataRate.Sps475), clock);

        Assert.Equal(-16000, adc.ReadRaw());
        adc.Configure(adc.Config with { Pga = Ads1115Pga.Fsr0V256 });
        Assert.Equal(short.MinValue, adc.ReadRaw());
    }

    [Fact]
    public void Continuous_mode_tracks_the_input_without_restarting()
    {
        var clock = new VirtualClock();
        var chip = new Ads1115Emulator(clock);
        var input = new ConstantVoltage(0.5);
        chip.Connect(0, input);
        using var adc = new Ads1115(chip, new Ads1115Config(Ads1115Mux.Ain0, Ads1115Pga.Fsr4V096, Ads1115Mode.Continuous, Ads1115DataRate.Sps250), clock);

        clock.Advance(0.01);
        Assert.Equal(4000, adc.ReadRaw());
        input.Volts = 1.0;
        clock.Advance(0.01);
        Assert.Equal(8000, adc.ReadRaw());
        Assert.True(chip.Conversions >= 4);
    }

    [Fact]
    public void Alert_rdy_signals_conversion_ready_and_comparator_thresholds()
    {
        var clock = new VirtualClock();
        var chip = new Ads1115Emulator(clock);
        var input = new ConstantVoltage(0.1);
        chip.Connect(0, input);
        using var adc = new Ads1115(chip, new Ads1115Config(Ads1115Mux.Ain0, DataRate: Ads1115DataRate.Sps860), clock);

        adc.EnableConversionReadyPin();
        Assert.Equal(0x8000, adc.ReadRegister(Ads1115Register.HiThresh));
        adc.ReadRaw();
        Assert.True(chip.AlertAsserted);

        adc.WriteThresholds(8000, 16000);
        adc.Configure(adc.Config with { ComparatorQueue = Ads1115ComparatorQueue.AssertAfterTwo });
        input.Volts = 1.5;
        adc.ReadRaw();
        Assert.False(chip.AlertAsserted);
        adc.ReadRaw();
        Assert.True(chip.AlertAsserted);
        input.Volts = 0.1;
        adc.ReadRaw();
        Assert.False(chip.AlertAsserted);
    }

    [Fact]
    public void Bad_thresholds_a_missing_chip_and_a_stuck_conversion_are_reported()
    {
        var clock = new VirtualClock();
        var chip = new Ads1115Emulator(clock);
        using var adc = new Ads1115(chip, time: clock);

        Assert.Throws<ArgumentException>(() => adc.WriteThresholds(10, -10));
        Assert.Throws<ArgumentException>(() => adc.EnableConversionReadyPin(Ads1115ComparatorQueue.Disable));
        chip.NackNextTransfers = 1;
        Assert.Throws<IOException>(() => adc.ReadRaw());

        using var stuck = new Ads1115(new StuckConverter(clock), time: clock);
        var error = Assert.Throws<TimeoutException>(() => stuck.ReadRaw());
        Assert.Contains("128 SPS", error.Message, StringComparison.Ordinal);
    }

    [Property]
    public void Config_fields_survive_encode_and_decode(byte mux, byte pga, bool continuous, byte rate, bool window, bool activeHigh, bool latch, byte queue)
    {
        var config = new Ads1115Config(
            (Ads1115Mux)(mux % 8),
            (Ads1115Pga)(pga % 6),
            continuous ? Ads1115Mode.Continuous : Ads1115Mode.SingleShot,
            (Ads1115DataRate)(rate % 8),
            window ? Ads1115ComparatorMode.Window : Ads1115ComparatorMode.Traditional,
            activeHigh ? Ads1115ComparatorPolarity.ActiveHigh : Ads1115ComparatorPolarity.ActiveLow,
            latch,
            (Ads1115ComparatorQueue)(queue % 4));

        Assert.Equal(config, Ads1115Config.Decode(config.Encode()));
    }

    [Property]
    public void Any_input_inside_the_range_reads_back_within_half_an_lsb(short millivoltsRaw)
    {
        var volts = millivoltsRaw % 2048 / 1000.0;
        var clock = new VirtualClock();
        var chip = new Ads1115Emulator(clock);
        chip.Connect(0, new ConstantVoltage(volts));
        chip.Connect(1, new ConstantVoltage(0));
        using var adc = new Ads1115(chip, new Ads1115Config(DataRate: Ads1115DataRate.Sps860), clock);

        Assert.InRange(adc.ReadVolts() - volts, -31.25e-6 - 1e-12, 31.25e-6 + 1e-12);
    }

    /// <summary>A chip whose OS bit never comes back: the binding must give up rather than hang.</summary>
    private sealed class StuckConverter(VirtualClock clock) : EmulatedI2cDevice(new(1, 0x48), clock, 400_000)
    {
        protected override void OnWrite(ReadOnlySpan<byte> data)
        {
        }

        protected override void OnRead(Span<byte> buffer) => buffer.Clear();
    }
}
