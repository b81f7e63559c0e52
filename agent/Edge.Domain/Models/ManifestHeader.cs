using System.Text.Json;

namespace Edge.Domain.Models;

/// <summary>
/// The two top-level manifest fields needed before the signature is checked — the layout version and the signing
/// key's id — read with a forward-only reader over the bounded manifest bytes, nothing else materialised.
/// </summary>
internal readonly record struct ManifestHeader(int SchemaVersion, string? KeyId)
{
    private const string SchemaVersionName = "schemaVersion";
    private const string KeyIdName = "keyId";

    /// <summary>Reads the header of <paramref name="manifest"/>; invalid JSON or a repeated field is refused.</summary>
    public static ManifestHeader Parse(ReadOnlySpan<byte> manifest)
    {
        int? schema = null;
        string? keyId = null;
        var seenKeyId = false;
        try
        {
            var reader = new Utf8JsonReader(manifest, new JsonReaderOptions { MaxDepth = 32 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new ModelPackageException("Manifest is not a JSON object.");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals(SchemaVersionName))
                {
                    schema = schema is null ? ReadSchema(ref reader) : throw Repeated(SchemaVersionName);
                }
                else if (reader.ValueTextEquals(KeyIdName))
                {
                    keyId = !seenKeyId ? ReadKeyId(ref reader) : throw Repeated(KeyIdName);
                    seenKeyId = true;
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            // Walk to the end so trailing garbage is refused here too.
            while (reader.Read())
            {
            }
        }
        catch (JsonException e)
        {
            throw new ModelPackageException($"Manifest is not valid JSON: {e.Message}", e);
        }

        return new ManifestHeader(schema ?? throw new ModelPackageException(
            "Manifest has no integer 'schemaVersion'."), keyId);
    }

    private static int ReadSchema(ref Utf8JsonReader reader)
        => reader.Read() && reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var value)
            ? value
            : throw new ModelPackageException("Manifest has no integer 'schemaVersion'.");

    private static string ReadKeyId(ref Utf8JsonReader reader)
    {
        reader.Read();
        // Only a plain 16-character string is materialised: a hostile long value costs nothing.
        var plain = reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped
            && reader.ValueSpan.Length == PackageSigning.KeyIdLength;
        var value = plain ? reader.GetString() : null;
        return PackageSigning.IsKeyId(value)
            ? value!
            : throw new ModelPackageException($"Manifest 'keyId' must be {PackageSigning.KeyIdLength} lower-case hex "
                + "digits.");
    }

    private static ModelPackageException Repeated(string name) => new($"Manifest field '{name}' appears twice.");
}
