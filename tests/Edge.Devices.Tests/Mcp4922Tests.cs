using Edge.Devices.Dac;
using Edge.Devices.Emulation;
using FsCheck.Xunit;

namespace Edge.Devices.Tests;

public sealed class Mcp4922Tests
{
    [Fact]
    public void Command_words_follow_the_datasheet_bit_layout()
    {
        // Datasheet register 5-1: A/B, BUF, GA (1 = ×1), SHDN (1 = active), D11..D0.
        Assert.Equal(0x3800, Mcp4922.CommandWord(Mcp4922Channel.A, 0x800));
        Assert.Equal(0xBFFF, Mcp4922.CommandWord(Mcp4922Channel.B, 0xFFF));
        Assert.Equal(0x5001, Mcp4922.CommandWord(Mcp4922Channel.A, 1, bufferedReference: true, gainX1: false));
        Assert.Equal(0x2000, Mcp4922.CommandWord(Mcp4922Channel.A, 0, active: false));
    }

    [Fact]
    public void Emulated_outputs_apply_reference_gain_and_shutdown()
    {
        var clock = new VirtualClock();
        var chip = new Mcp4922Emulator(clock, referenceVoltsA: 2.5, referenceVoltsB: 1.0, supplyVolts: 5.0);
        using var dac = new Mcp4922(chip);

        dac.Write(Mcp4922Channel.A, 0x800);
        dac.Write(Mcp4922Channel.B, 0x800, gainX1: false);

        Assert.Equal(1.25, chip.OutputVolts(0), 12);
        Assert.Equal(1.0, chip.OutputVolts(1), 12);
        dac.Shutdown(Mcp4922Channel.A);
        Assert.Equal(0.0, chip.OutputVolts(0));
    }

    [Fact]
    public void With_ldac_wired_the_outputs_move_together_on_the_pulse()
    {
        var clock = new VirtualClock();
        var chip = new Mcp4922Emulator(clock) { LdacTiedLow = false };
        using var dac = new Mcp4922(chip);

        dac.Write(Mcp4922Channel.A, 1000);
        dac.Write(Mcp4922Channel.B, 2000);
        Assert.Equal(0.0, chip.OutputVolts(0));

        chip.PulseLdac();
        Assert.Equal(3.3 * 1000 / 4096, chip.OutputVolts(0), 12);
        Assert.Equal(3.3 * 2000 / 4096, chip.OutputVolts(1), 12);
    }

    [Fact]
    public void A_clock_above_20_MHz_and_bad_arguments_are_rejected()
    {
        var clock = new VirtualClock();
        var tooFast = new Mcp4922Emulator(clock, clockFrequency: 25_000_000);

        var error = Assert.Throws<ArgumentException>(() => new Mcp4922(tooFast));
        Assert.Contains("20 MHz", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => Mcp4922.CommandWord((Mcp4922Channel)2, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Mcp4922.CommandWord(Mcp4922Channel.A, -1));
    }

    [Fact]
    public void A_bus_fault_surfaces_as_an_io_error()
    {
        var chip = new Mcp4922Emulator(new VirtualClock()) { FailNextTransfers = 1 };
        using var dac = new Mcp4922(chip);

        Assert.Throws<IOException>(() => dac.Write(Mcp4922Channel.A, 1));
    }

    [Property]
    public void Every_code_and_channel_reaches_its_output(ushort raw, bool channelB)
    {
        var code = raw % 4096;
        var chip = new Mcp4922Emulator(new VirtualClock(), referenceVoltsA: 2.048, referenceVoltsB: 4.096,
            supplyVolts: 5.0);
        using var dac = new Mcp4922(chip);
        var channel = channelB ? Mcp4922Channel.B : Mcp4922Channel.A;

        dac.Channel(channel).Write(code);

        Assert.Equal((channelB ? 4.096 : 2.048) * code / 4096, chip.OutputVolts((int)channel), 12);
    }
}
