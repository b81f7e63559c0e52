namespace Edge.Tests.Fuzzing;

/// <summary>A little-endian unsigned integer field inside an input: a length, count or size worth editing.</summary>
/// <param name="Offset">Byte offset of the field.</param>
/// <param name="Width">Field width in bytes: 1, 2 or 4.</param>
internal readonly record struct FuzzField(int Offset, int Width);

/// <summary>
/// One decoder an outsider reaches, as the fuzzer drives it: valid seeds to mutate, where their length fields are,
/// how to make a mutant structurally plausible again (CRC, COBS), and which exception types are its documented
/// refusals — any other exception is a crash.
/// </summary>
internal sealed class FuzzTarget
{
    /// <summary>Name used by <c>--decoder</c> and in the report.</summary>
    public required string Name { get; init; }

    /// <summary>Valid inputs the mutations start from.</summary>
    public required IReadOnlyList<byte[]> Seeds { get; init; }

    /// <summary>
    /// Decodes one input: returns null when it was accepted, or a refusal reported without an exception (the bridge
    /// stream decoder reports bad frames to its receiver); throws the decoder's documented exception to refuse.
    /// </summary>
    public required Func<byte[], string?> Decode { get; init; }

    /// <summary>Exception types that are the decoder's documented refusals.</summary>
    public required IReadOnlyList<Type> Refusals { get; init; }

    /// <summary>True when the input is JSON text (the mutator then also edits members and values).</summary>
    public bool IsJson { get; init; }

    /// <summary>Length, count and size fields of an input (located per input: a zip's headers move).</summary>
    public Func<byte[], IReadOnlyList<FuzzField>> Fields { get; init; } = _ => [];

    /// <summary>Turns a mutant into what the decoder reads (fix the CRC most of the time, frame with COBS).</summary>
    public Func<byte[], Random, byte[]> Finish { get; init; } = (input, _) => input;

    /// <summary>True when <paramref name="exception"/> is one of the documented refusals.</summary>
    public bool IsRefusal(Exception exception) => Refusals.Any(type => type.IsInstanceOfType(exception));
}
