using System.Text;
using Edge.Bridge.Protocol;
using FsCheck.Xunit;

namespace Edge.Bridge.Tests;

public sealed class CobsAndCrcTests
{
    [Property(MaxTest = 500)]
    public bool Cobs_round_trips_arbitrary_bytes_and_never_emits_zero(byte[] data)
    {
        var encoded = Cobs.Encode(data);
        return Array.IndexOf(encoded, (byte)0) < 0
            && encoded.Length <= Cobs.MaxEncodedLength(data.Length)
            && Cobs.Decode(encoded).AsSpan().SequenceEqual(data);
    }

    [Theory]
    [InlineData(253)]
    [InlineData(254)]
    [InlineData(255)]
    [InlineData(508)]
    [InlineData(1000)]
    public void Cobs_round_trips_long_runs_without_zeros_across_block_boundaries(int length)
    {
        var data = new byte[length];
        for (var i = 0; i < length; i++)
        {
            data[i] = (byte)((i % 255) + 1);
        }

        var encoded = Cobs.Encode(data);
        Assert.DoesNotContain((byte)0, encoded);
        Assert.Equal(data, Cobs.Decode(encoded));
    }

    [Fact]
    public void Cobs_matches_the_published_examples()
    {
        Assert.Equal(new byte[] { 0x01, 0x01 }, Cobs.Encode([0x00]));
        Assert.Equal(new byte[] { 0x01, 0x01, 0x01 }, Cobs.Encode([0x00, 0x00]));
        Assert.Equal(new byte[] { 0x03, 0x11, 0x22, 0x02, 0x33 }, Cobs.Encode([0x11, 0x22, 0x00, 0x33]));
        Assert.Equal(new byte[] { 0x05, 0x11, 0x22, 0x33, 0x44 }, Cobs.Encode([0x11, 0x22, 0x33, 0x44]));
    }

    [Fact]
    public void Cobs_rejects_a_code_running_past_the_end_and_embedded_zeros()
    {
        var overrun = Assert.Throws<ProtocolException>(() => Cobs.Decode([0x05, 0x11, 0x22]));
        Assert.Equal(ProtocolError.InvalidCobs, overrun.Error);
        Assert.Throws<ProtocolException>(() => Cobs.Decode([0x03, 0x11, 0x00]));
        Assert.Throws<ProtocolException>(() => Cobs.Decode([0x00]));
    }

    [Fact]
    public void Crc32_gives_the_standard_check_value()
    {
        var data = Encoding.ASCII.GetBytes("123456789");
        Assert.Equal(0xCBF43926u, Crc32.Compute(data, 0, data.Length));
        Assert.Equal(Crc32.CheckValue, Crc32.Compute(data, 0, data.Length));
        Assert.Equal(0u, Crc32.Compute([], 0, 0));
    }

    [Fact]
    public void Crc32_respects_offset_and_count()
    {
        var data = Encoding.ASCII.GetBytes("xx123456789yy");
        Assert.Equal(Crc32.CheckValue, Crc32.Compute(data, 2, 9));
    }
}
