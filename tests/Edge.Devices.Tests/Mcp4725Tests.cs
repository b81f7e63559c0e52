using Edge.Devices.Dac;
using Edge.Devices.Emulation;
using FsCheck.Xunit;

namespace Edge.Devices.Tests;

public sealed class Mcp4725Tests
{
    [Fact]
    public void Fast_write_sends_pd_bits_and_the_code_in_two_bytes()
    {
        var bus = new RecordingI2cDevice();
        using var dac = new Mcp4725(bus);

        dac.WriteFast(0xABC, Mcp4725PowerDown.Pulldown100K);

        // Datasheet figure 6-1: 0 0 PD1 PD0 D11..D8, then D7..D0.
        Assert.Equal([0x2A, 0xBC], bus.Writes.Single());
    }

    [Fact]
    public void Write_dac_register_and_eeprom_use_commands_010_and_011_with_left_aligned_data()
    {
        var bus = new RecordingI2cDevice();
        bus.Replies.Enqueue([0xC0, 0, 0, 0, 0]);
        using var dac = new Mcp4725(bus);

        dac.WriteDacRegister(0x123, Mcp4725PowerDown.Pulldown1K);
        dac.WriteDacAndEeprom(0xFFF);

        // Datasheet figure 6-2: C2 C1 C0 x x PD1 PD0 x, D11..D4, D3..D0 x x x x.
        Assert.Equal([0x42, 0x12, 0x30], bus.Writes[0]);
        Assert.Equal([0x60, 0xFF, 0xF0], bus.Writes[1]);
    }

    [Fact]
    public void Readback_decodes_status_dac_register_and_eeprom()
    {
        // RDY, POR, PD = 01; DAC 0x800; EEPROM PD = 10, code 0x7FF.
        var readback = Mcp4725.Decode([0xC2, 0x80, 0x00, 0x47, 0xFF]);

        Assert.Equal(new Mcp4725Readback(false, true, Mcp4725PowerDown.Pulldown1K, 0x800, Mcp4725PowerDown.Pulldown100K,
            0x7FF), readback);
    }

    [Fact]
    public void Emulator_holds_busy_during_the_eeprom_cycle_and_reloads_eeprom_on_power_cycle()
    {
        var clock = new VirtualClock();
        var chip = new Mcp4725Emulator(clock, supplyVolts: 4.096);
        using var dac = new Mcp4725(chip, clock);

        dac.WriteDacAndEeprom(1000);
        Assert.True(clock.Seconds >= 0.025,
            $"the binding returned after {clock.Seconds * 1e3:F2} ms, before the 25 ms EEPROM cycle ended");

        dac.Write(3000);
        Assert.Equal(4.096 * 3000 / 4096, chip.OutputVolts, 12);
        Assert.Equal(1000, dac.Read().EepromCode);

        chip.PowerCycle();
        Assert.Equal(1000, chip.Code);
    }

    [Fact]
    public void A_write_during_the_eeprom_cycle_is_not_acknowledged()
    {
        var clock = new VirtualClock();
        var chip = new Mcp4725Emulator(clock);
        using var dac = new Mcp4725(chip, clock);
        dac.WriteDacRegister(1, Mcp4725PowerDown.Normal);
        chip.Write([0x60, 0x10, 0x00]);

        var error = Assert.Throws<IOException>(() => dac.Write(5));
        Assert.Contains("EEPROM write in progress", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_eeprom_cycle_longer_than_the_datasheet_maximum_times_out()
    {
        var clock = new VirtualClock();
        var chip = new Mcp4725Emulator(clock) { EepromWriteTime = TimeSpan.FromMilliseconds(80) };
        using var dac = new Mcp4725(chip, clock);

        var error = Assert.Throws<TimeoutException>(() => dac.WriteDacAndEeprom(7));
        Assert.Contains("0x60", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Out_of_range_codes_and_a_missing_chip_are_reported()
    {
        var clock = new VirtualClock();
        var chip = new Mcp4725Emulator(clock) { NackNextTransfers = 1 };
        using var dac = new Mcp4725(chip, clock);

        var range = Assert.Throws<ArgumentOutOfRangeException>(() => dac.Write(4096));
        Assert.Contains("0…4095", range.Message, StringComparison.Ordinal);
        Assert.Throws<IOException>(() => dac.Write(1));
        dac.Write(1);
        Assert.Equal(1, chip.Code);
    }

    [Property]
    public void Every_code_reaches_the_output_as_vdd_times_code_over_4096(ushort raw)
    {
        var code = raw % 4096;
        var clock = new VirtualClock();
        var chip = new Mcp4725Emulator(clock, supplyVolts: 5.0);
        var wire = new WireNode();
        chip.Connect(wire);
        using var dac = new Mcp4725(chip, clock);

        dac.Write(code);

        Assert.Equal(5.0 * code / 4096, wire.ReadVolts(), 12);
        Assert.Equal(code, dac.Read().DacCode);
    }
}
