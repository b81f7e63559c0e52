using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Edge.Trainer.Reporting.Report;

/// <summary>Typed reads from a bench JSON object; every failure names the file and the key.</summary>
/// <param name="File">The file, as named in error messages.</param>
internal sealed record JsonFields(string File)
{
    /// <summary>The property <paramref name="key"/> (exact name first, then ignoring case, as System.Text.Json writes
    /// PascalCase).</summary>
    public static JsonNode? Find(JsonObject json, string key)
    {
        if (json.TryGetPropertyValue(key, out var exact))
        {
            return exact;
        }

        foreach (var (name, value) in json)
        {
            if (string.Equals(name, key, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        return null;
    }

    public static bool Has(JsonObject json, string key)
    {
        if (json.ContainsKey(key))
        {
            return true;
        }

        foreach (var (name, _) in json)
        {
            if (string.Equals(name, key, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    public JsonObject Object(JsonObject json, string key)
        => Required(json, key) as JsonObject ?? throw Bad(key, "is not a JSON object");

    public JsonArray Array(JsonObject json, string key)
        => Required(json, key) as JsonArray ?? throw Bad(key, "is not a JSON array");

    public string String(JsonObject json, string key) => AsString(Required(json, key), key);

    public string? OptionalString(JsonObject json, string key) => Find(json, key) is { } node ? AsString(node, key)
        : null;

    public double Number(JsonObject json, string key) => AsNumber(Required(json, key), key);

    /// <summary>A number that must be present as a key but may be null (not recorded).</summary>
    public double? NullableNumber(JsonObject json, string key)
    {
        if (!Has(json, key))
        {
            throw Bad(key, "is missing");
        }

        return Find(json, key) is { } node ? AsNumber(node, key) : null;
    }

    public double? OptionalNumber(JsonObject json, string key) => Find(json, key) is { } node ? AsNumber(node, key)
        : null;

    public long Integer(JsonObject json, string key) => AsInteger(Number(json, key), key);

    public long? NullableInteger(JsonObject json, string key) => NullableNumber(json, key) is { } value
        ? AsInteger(value, key) : null;

    public long? OptionalInteger(JsonObject json, string key) => OptionalNumber(json, key) is { } value
        ? AsInteger(value, key) : null;

    /// <summary>An array element or other loose node as a number.</summary>
    public double NumberOf(JsonNode? node, string key) => node is null ? throw Bad(key, "holds a null")
        : AsNumber(node, key);

    /// <summary>An accuracy: a number in [0, 1].</summary>
    public double Fraction(JsonNode? node, string key)
    {
        var value = node is null ? throw Bad(key, "is null") : AsNumber(node, key);
        return value is >= 0 and <= 1 ? value
            : throw Bad(key, $"is {value.ToString(CultureInfo.InvariantCulture)}, not an accuracy in [0, 1]");
    }

    public BenchDataException Bad(string key, string problem) => new($"{File}: '{key}' {problem}.");

    private JsonNode Required(JsonObject json, string key)
    {
        if (!Has(json, key))
        {
            throw Bad(key, "is missing");
        }

        return Find(json, key) ?? throw Bad(key, "is null");
    }

    private string AsString(JsonNode node, string key)
        => node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>()
            : throw Bad(key, "is not a string");

    private double AsNumber(JsonNode node, string key)
    {
        if (node is JsonValue value && value.GetValueKind() == JsonValueKind.Number)
        {
            var number = value.GetValue<double>();
            return double.IsFinite(number) ? number : throw Bad(key, "is not a finite number");
        }

        throw Bad(key, $"is not a number ({node.ToJsonString()})");
    }

    private long AsInteger(double value, string key)
        => value == Math.Floor(value) && Math.Abs(value) < 9e15 ? (long)value
            : throw Bad(key, $"is {value.ToString(CultureInfo.InvariantCulture)}, not a whole number");
}
