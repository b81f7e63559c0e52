using Edge.Devices.Adc;
using Edge.Devices.Emulation;
using FsCheck.Xunit;

namespace Edge.Devices.Tests;

/// <summary>The dotnet/iot MCP3008/MCP3208 bindings behind <see cref="Mcp3xxxInput"/>, against the bit-level
/// emulator.</summary>
public sealed class Mcp3xxxTests
{
    [Fact]
    public void Command_bytes_follow_the_datasheet_figures()
    {
        var spi3008 = new RecordingSpiDevice();
        var spi3208 = new RecordingSpiDevice();
        using var mcp3008 = Mcp3xxxInput.Mcp3008(spi3008, 5);
        using var mcp3208 = Mcp3xxxInput.Mcp3208(spi3208, 5);

        mcp3008.Read();
        mcp3208.Read();
        mcp3208.Chip.ReadPseudoDifferential(2, 3);

        // MCP3008 figure 6-1: 0000 0001, SGL D2 D1 D0 xxxx, xxxx xxxx.
        Assert.Equal([0x01, 0xD0, 0x00], spi3008.Sent[0]);

        // MCP3208 figure 6-1: 0000 0 1 SGL D2, D1 D0 xx xxxx, xxxx xxxx; pair CH2+/CH3− is D2…D0 = 010.
        Assert.Equal([0x07, 0x40, 0x00], spi3208.Sent[0]);
        Assert.Equal([0x04, 0x80, 0x00], spi3208.Sent[1]);
    }

    [Fact]
    public void Replies_carry_a_null_bit_then_the_result_msb_first()
    {
        var clock = new VirtualClock();
        var chip = new Mcp3xxxEmulator(clock, 10, referenceVolts: 3.3);
        chip.Connect(3, new ConstantVoltage(3.3 * 0x2AB / 1024 + 1e-6));
        using var adc = Mcp3xxxInput.Mcp3008(chip, 3);

        Span<byte> reply = stackalloc byte[3];
        chip.TransferFullDuplex([0x01, 0xB0, 0x00], reply);

        Assert.Equal(0x02, reply[1] & 0x07);
        Assert.Equal(0xAB, reply[2]);
        Assert.Equal(0x2AB, adc.Read());
        Assert.Equal((0, 1023), (adc.MinCode, adc.MaxCode));
    }

    [Fact]
    public void Differential_pairs_read_through_the_binding_and_single_ended_through_the_view()
    {
        var clock = new VirtualClock();
        var chip = new Mcp3xxxEmulator(clock, 12, referenceVolts: 4.096);
        chip.Connect(4, new ConstantVoltage(2.0));
        chip.Connect(5, new ConstantVoltage(1.0));
        using var adc = Mcp3xxxInput.Mcp3208(chip, 4);

        Assert.Equal(1000, adc.Chip.ReadPseudoDifferential(4, 5));
        Assert.Equal(2000, adc.Read());
        Assert.Equal(4095, adc.MaxCode);
    }

    [Fact]
    public void Bad_channels_too_fast_clocks_and_bus_faults_are_reported()
    {
        var clock = new VirtualClock();
        var chip = new Mcp3xxxEmulator(clock, 12);
        using var adc = Mcp3xxxInput.Mcp3208(chip, 0);

        Assert.Throws<ArgumentOutOfRangeException>(() => Mcp3xxxInput.Mcp3208(chip, 8));
        Assert.Throws<ArgumentOutOfRangeException>(() => Mcp3xxxInput.Mcp3008(chip, -1));
        var tooFast = Assert.Throws<ArgumentException>(
            () => Mcp3xxxInput.Mcp3208(new Mcp3xxxEmulator(clock, 12, clockFrequency: 3_000_000), 0));
        Assert.Contains("2 MHz", tooFast.Message, StringComparison.Ordinal);
        chip.FailNextTransfers = 1;
        Assert.Throws<IOException>(() => adc.Read());
    }

    [Property]
    public void Every_input_reads_the_floor_of_its_code(ushort raw, byte channel, bool twelveBits)
    {
        var bits = twelveBits ? 12 : 10;
        var volts = raw / 65536.0 * 3.3;
        var clock = new VirtualClock();
        var chip = new Mcp3xxxEmulator(clock, bits, referenceVolts: 3.3);
        chip.Connect(channel % 8, new ConstantVoltage(volts));
        using var adc = twelveBits ? Mcp3xxxInput.Mcp3208(chip, channel % 8) : Mcp3xxxInput.Mcp3008(chip, channel % 8);

        Assert.Equal((int)Math.Floor((1 << bits) * volts / 3.3), adc.Read());
    }
}
