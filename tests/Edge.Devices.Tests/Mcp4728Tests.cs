using Edge.Devices.Dac;
using Edge.Devices.Emulation;
using FsCheck.Xunit;

namespace Edge.Devices.Tests;

public sealed class Mcp4728Tests
{
    [Fact]
    public void Multi_write_encodes_channel_reference_gain_and_code()
    {
        var bus = new RecordingI2cDevice();
        using var dac = new Mcp4728(bus);

        dac.WriteChannel(Mcp4728Channel.B,
            new Mcp4728ChannelSettings(0x123, Mcp4728Reference.Internal2V048, Mcp4728Gain.X2));

        // Datasheet figure 5-8: 0 1 0 0 0 DAC1 DAC0 UDAC, VREF PD1 PD0 Gx D11..D8, D7..D0.
        Assert.Equal([0x42, 0x91, 0x23], bus.Writes.Single());
    }

    [Fact]
    public void Reference_gain_and_power_down_commands_pack_one_bit_field_per_channel()
    {
        var bus = new RecordingI2cDevice();
        using var dac = new Mcp4728(bus);

        dac.WriteReferences(Mcp4728Reference.Internal2V048, Mcp4728Reference.Vdd, Mcp4728Reference.Internal2V048,
            Mcp4728Reference.Vdd);
        dac.WriteGains(Mcp4728Gain.X1, Mcp4728Gain.X1, Mcp4728Gain.X2, Mcp4728Gain.X2);
        dac.WritePowerDown(Mcp4728PowerDown.Normal, Mcp4728PowerDown.Pulldown1K, Mcp4728PowerDown.Pulldown100K,
            Mcp4728PowerDown.Pulldown500K);

        Assert.Equal([0x8A], bus.Writes[0]);
        Assert.Equal([0xC3], bus.Writes[1]);
        Assert.Equal([0xA1, 0xB0], bus.Writes[2]);
    }

    [Fact]
    public void Emulated_outputs_follow_reference_gain_and_power_down()
    {
        var clock = new VirtualClock();
        var chip = new Mcp4728Emulator(clock, supplyVolts: 5.0);
        using var dac = new Mcp4728(chip, clock);

        dac.FastWrite(4095, 2048, 1024, 0);
        Assert.Equal(5.0 * 4095 / 4096, chip.OutputVolts(0), 12);

        dac.WriteChannel(Mcp4728Channel.C,
            new Mcp4728ChannelSettings(1000, Mcp4728Reference.Internal2V048, Mcp4728Gain.X2));
        Assert.Equal(4.096 * 1000 / 4096, chip.OutputVolts(2), 12);

        dac.WritePowerDown(Mcp4728PowerDown.Normal, Mcp4728PowerDown.Pulldown1K, Mcp4728PowerDown.Normal,
            Mcp4728PowerDown.Normal);
        Assert.Equal(0.0, chip.OutputVolts(1));
        Assert.Equal(4.096 * 1000 / 4096, chip.OutputVolts(2), 12);
    }

    [Fact]
    public void Sequential_write_stores_eeprom_and_waits_out_the_busy_cycle()
    {
        var clock = new VirtualClock();
        var chip = new Mcp4728Emulator(clock);
        using var dac = new Mcp4728(chip, clock);

        dac.WriteSequentialAndEeprom(Mcp4728Channel.C, [new(111), new(222, Mcp4728Reference.Vdd)]);

        Assert.True(clock.Seconds >= 0.025);
        var all = dac.ReadAll();
        Assert.Equal(111, all[2].Eeprom.Code);
        Assert.Equal(222, all[3].Register.Code);
        Assert.Equal(Mcp4728Channel.D, all[3].Channel);
        Assert.False(all[3].EepromBusy);
        Assert.Throws<ArgumentException>(() => dac.WriteSequentialAndEeprom(Mcp4728Channel.A, [new(1)]));
    }

    [Fact]
    public void Multi_write_without_update_waits_for_ldac()
    {
        var clock = new VirtualClock();
        var chip = new Mcp4728Emulator(clock);
        using var dac = new Mcp4728(chip, clock);

        dac.WriteChannel(Mcp4728Channel.A, new Mcp4728ChannelSettings(2000), update: false);
        Assert.Equal(0.0, chip.OutputVolts(0));

        chip.Latch();
        Assert.Equal(2.048 * 2000 / 4096, chip.OutputVolts(0), 12);
    }

    [Property]
    public void Channel_settings_survive_a_write_and_read_back(ushort raw, bool internalReference, bool gainX2, byte pd,
        byte channel)
    {
        var settings = new Mcp4728ChannelSettings(
            raw % 4096,
            internalReference ? Mcp4728Reference.Internal2V048 : Mcp4728Reference.Vdd,
            gainX2 ? Mcp4728Gain.X2 : Mcp4728Gain.X1,
            (Mcp4728PowerDown)(pd % 4));
        var clock = new VirtualClock();
        using var dac = new Mcp4728(new Mcp4728Emulator(clock), clock);
        var target = (Mcp4728Channel)(channel % 4);

        dac.WriteChannelAndEeprom(target, settings);
        var back = dac.ReadAll()[(int)target];

        Assert.Equal(settings, back.Register);
        Assert.Equal(settings, back.Eeprom);
    }
}
