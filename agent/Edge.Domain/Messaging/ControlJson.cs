using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Edge.Domain.Messaging;

/// <summary>Writes and reads the JSON control messages, turning every decoding failure into a <see
/// cref="MessageFormatException"/>.</summary>
public static class ControlJson
{
    /// <summary>The control-message schema version this build writes and reads.</summary>
    public const int SchemaVersion = 1;

    /// <summary>Largest control message accepted, in bytes.</summary>
    public const int MaxBytes = 256 * 1024;

    /// <summary>Serialises <paramref name="message"/> as UTF-8 JSON.</summary>
    public static byte[] Serialize<T>(T message, JsonTypeInfo<T> typeInfo)
        where T : IControlMessage => JsonSerializer.SerializeToUtf8Bytes(message, typeInfo);

    /// <summary>Parses UTF-8 JSON as <typeparamref name="T"/>; throws <see cref="MessageFormatException"/> naming the
    /// problem.</summary>
    public static T Parse<T>(ReadOnlySpan<byte> utf8, JsonTypeInfo<T> typeInfo)
        where T : IControlMessage
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        if (typeInfo.Options.AllowDuplicateProperties)
        {
            // Last-wins duplicates would let one payload mean two things to two readers; every context must refuse
            // them.
            throw new
                ArgumentException($"The JSON metadata for {typeof(T).Name} allows duplicate members; control messages "
                    + "are strict.", nameof(typeInfo));
        }

        var what = typeof(T).Name;
        if (utf8.Length > MaxBytes)
        {
            throw new
                MessageFormatException($"{what}: {utf8.Length} bytes exceeds the {MaxBytes}-byte limit for control "
                    + "messages.");
        }

        T? message;
        try
        {
            message = JsonSerializer.Deserialize(utf8, typeInfo);
        }
        catch (JsonException e)
        {
            throw new MessageFormatException($"{what}: invalid JSON: {e.Message}", e);
        }
        catch (ArgumentException e)
        {
            throw new MessageFormatException($"{what}: {e.Message}", e);
        }

        if (message is null)
        {
            throw new MessageFormatException($"{what}: the payload is JSON null.");
        }

        if (message.SchemaVersion != SchemaVersion)
        {
            throw new
                MessageFormatException($"{what}: schema version {message.SchemaVersion} is not supported (this build "
                    + $"reads version {SchemaVersion}).");
        }

        return message;
    }
}
