using Edge.Devices.Adc;
using Edge.Devices.Emulation;
using FsCheck.Xunit;

namespace Edge.Devices.Tests;

public sealed class Mcp3xxxTests
{
    [Fact]
    public void Command_bytes_follow_the_datasheet_figures()
    {
        var clock = new VirtualClock();
        using var mcp3008 = new Mcp3008(new Mcp3xxxEmulator(clock, 10));
        using var mcp3208 = new Mcp3208(new Mcp3xxxEmulator(clock, 12));
        Span<byte> command = stackalloc byte[3];

        // MCP3008 figure 6-1: 0000 0001, SGL D2 D1 D0 xxxx, xxxx xxxx.
        mcp3008.EncodeCommand(5, singleEnded: true, command);
        Assert.Equal([0x01, 0xD0, 0x00], command.ToArray());

        // MCP3208 figure 6-1: 0000 0 1 SGL D2, D1 D0 xx xxxx, xxxx xxxx.
        mcp3208.EncodeCommand(5, singleEnded: true, command);
        Assert.Equal([0x07, 0x40, 0x00], command.ToArray());
        mcp3208.EncodeCommand(2, singleEnded: false, command);
        Assert.Equal([0x04, 0x80, 0x00], command.ToArray());
    }

    [Fact]
    public void Replies_carry_a_null_bit_then_the_result_msb_first()
    {
        var clock = new VirtualClock();
        var chip = new Mcp3xxxEmulator(clock, 10, referenceVolts: 3.3);
        chip.Connect(3, new ConstantVoltage(3.3 * 0x2AB / 1024 + 1e-6));
        using var adc = new Mcp3008(chip);

        Span<byte> reply = stackalloc byte[3];
        chip.TransferFullDuplex([0x01, 0xB0, 0x00], reply);

        Assert.Equal(0x02, reply[1] & 0x07);
        Assert.Equal(0xAB, reply[2]);
        Assert.Equal(0x2AB, adc.Read(3));
    }

    [Fact]
    public void Differential_pairs_read_the_selected_polarity_and_clip_at_zero()
    {
        var clock = new VirtualClock();
        var chip = new Mcp3xxxEmulator(clock, 12, referenceVolts: 4.096);
        chip.Connect(4, new ConstantVoltage(2.0));
        chip.Connect(5, new ConstantVoltage(1.0));
        using var adc = new Mcp3208(chip);

        Assert.Equal(1000, adc.Read(4, Mcp3xxxInput.Differential));
        Assert.Equal(0, adc.Read(5, Mcp3xxxInput.Differential));
        Assert.Equal(2000, adc.Read(4));
    }

    [Fact]
    public void Bad_channels_too_fast_clocks_and_bus_faults_are_reported()
    {
        var clock = new VirtualClock();
        var chip = new Mcp3xxxEmulator(clock, 12);
        using var adc = new Mcp3208(chip);

        Assert.Throws<ArgumentOutOfRangeException>(() => adc.Read(8));
        Assert.Throws<ArgumentOutOfRangeException>(() => adc.Channel(-1));
        var tooFast = Assert.Throws<ArgumentException>(() => new Mcp3208(new Mcp3xxxEmulator(clock, 12, clockFrequency: 3_000_000)));
        Assert.Contains("2 MHz", tooFast.Message, StringComparison.Ordinal);
        chip.FailNextTransfers = 1;
        Assert.Throws<IOException>(() => adc.Read(0));
    }

    [Property]
    public void Every_input_reads_the_floor_of_its_code(ushort raw, byte channel, bool twelveBits)
    {
        var bits = twelveBits ? 12 : 10;
        var volts = raw / 65536.0 * 3.3;
        var clock = new VirtualClock();
        var chip = new Mcp3xxxEmulator(clock, bits, referenceVolts: 3.3);
        chip.Connect(channel % 8, new ConstantVoltage(volts));
        using Mcp3xxx adc = twelveBits ? new Mcp3208(chip) : new Mcp3008(chip);

        Assert.Equal((int)Math.Floor((1 << bits) * volts / 3.3), adc.Read(channel % 8));
    }
}
