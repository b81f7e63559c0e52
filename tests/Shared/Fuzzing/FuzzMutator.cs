using System.Buffers.Binary;

namespace Edge.Tests.Fuzzing;

/// <summary>
/// Structure-aware mutation of valid seeds: bit flips, interesting bytes, truncation, insertion, deletion, chunk
/// duplication, splices with other seeds, random bytes, and edits of the declared length/count fields to boundary
/// and huge values. JSON targets also get member-level edits (<see cref="JsonMutator"/>).
/// </summary>
internal static class FuzzMutator
{
    private const int MaxInputBytes = 8 << 20;
    private static readonly byte[] InterestingBytes =
        [0x00, 0x01, 0x7F, 0x80, 0xFF, (byte)'"', (byte)'{', (byte)'[', (byte)'\\', 0xC0, 0xED];
    private static readonly uint[] HugeValues =
    [
        0, 1, 2, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0x10000, (1 << 20) + 1, 1 << 22, (1 << 22) + 1,
        64 << 20, (64 << 20) + 1, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFE, 0xFFFF_FFFF,
    ];

    /// <summary>Makes the next input for <paramref name="target"/>.</summary>
    public static byte[] Next(FuzzTarget target, Random random)
    {
        var seeds = target.Seeds;
        var seed = seeds[random.Next(seeds.Count)];
        var roll = random.Next(100);
        byte[] input;
        if (roll < 3)
        {
            input = (byte[])seed.Clone();
        }
        else if (roll < 8)
        {
            input = new byte[random.Next((2 * seed.Length) + 16)];
            random.NextBytes(input);
            return input;
        }
        else
        {
            input = (byte[])seed.Clone();
            var steps = 1 + random.Next(4);
            for (var i = 0; i < steps; i++)
            {
                input = target.IsJson && random.Next(100) < 60
                    ? JsonMutator.Mutate(input, random)
                    : MutateBytes(input, target, random);
            }
        }

        return target.Finish(input, random);
    }

    private static byte[] MutateBytes(byte[] input, FuzzTarget target, Random random)
    {
        var fields = target.Fields(input);
        var choice = random.Next(fields.Count > 0 ? 11 : 9);
        return choice switch
        {
            0 => FlipBits(input, random),
            1 => SetInterestingByte(input, random),
            2 => input[..random.Next(input.Length + 1)],
            3 => Insert(input, input.Length, RandomBytes(random, 1 + random.Next(64))),
            4 => Insert(input, random.Next(input.Length + 1), RandomBytes(random, 1 + random.Next(32))),
            5 => Delete(input, random),
            6 => DuplicateChunk(input, random),
            7 => Splice(input, target.Seeds[random.Next(target.Seeds.Count)], random),
            8 => input.Length <= MaxInputBytes / 2 ? [.. input, .. input] : input,
            _ => EditField(input, fields[random.Next(fields.Count)], random),
        };
    }

    private static byte[] FlipBits(byte[] input, Random random)
    {
        if (input.Length == 0)
        {
            return input;
        }

        var flips = 1 + random.Next(8);
        for (var i = 0; i < flips; i++)
        {
            var bit = random.Next(input.Length * 8);
            input[bit / 8] ^= (byte)(1 << (bit % 8));
        }

        return input;
    }

    private static byte[] SetInterestingByte(byte[] input, Random random)
    {
        if (input.Length > 0)
        {
            input[random.Next(input.Length)] = InterestingBytes[random.Next(InterestingBytes.Length)];
        }

        return input;
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Insert(byte[] input, int at, ReadOnlySpan<byte> chunk) =>
        input.Length + chunk.Length > MaxInputBytes ? input : [.. input.AsSpan(0, at), .. chunk, .. input.AsSpan(at)];

    private static byte[] Delete(byte[] input, Random random)
    {
        if (input.Length == 0)
        {
            return input;
        }

        var at = random.Next(input.Length);
        var length = 1 + random.Next(Math.Min(64, input.Length - at));
        return [.. input.AsSpan(0, at), .. input.AsSpan(at + length)];
    }

    private static byte[] DuplicateChunk(byte[] input, Random random)
    {
        if (input.Length == 0)
        {
            return input;
        }

        var from = random.Next(input.Length);
        var length = 1 + random.Next(Math.Min(256, input.Length - from));
        return Insert(input, random.Next(input.Length + 1), input.AsSpan(from, length).ToArray());
    }

    private static byte[] Splice(byte[] input, byte[] other, Random random)
    {
        var head = random.Next(input.Length + 1);
        var tail = random.Next(other.Length + 1);
        return [.. input.AsSpan(0, head), .. other.AsSpan(tail)];
    }

    private static byte[] EditField(byte[] input, FuzzField field, Random random)
    {
        if (field.Offset + field.Width > input.Length)
        {
            return input;
        }

        var span = input.AsSpan(field.Offset, field.Width);
        var current = field.Width switch
        {
            1 => span[0],
            2 => BinaryPrimitives.ReadUInt16LittleEndian(span),
            _ => BinaryPrimitives.ReadUInt32LittleEndian(span),
        };
        var value = random.Next(4) switch
        {
            0 => current + 1,
            1 => current - 1,
            2 => (uint)random.NextInt64(0, 1L << 32),
            _ => HugeValues[random.Next(HugeValues.Length)],
        };
        switch (field.Width)
        {
            case 1:
                span[0] = (byte)value;
                break;
            case 2:
                BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)value);
                break;
            default:
                BinaryPrimitives.WriteUInt32LittleEndian(span, value);
                break;
        }

        return input;
    }
}
