using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Edge.Trainer.Recipes;

/// <summary>
/// The JSON form of a <see cref="TrainingRecipe"/> (snake_case, every field written). Reading is strict: an unknown
/// field, a field given twice or a bad value is an <see cref="InvalidDataException"/> that names it. Also reads the
/// <c>recipe</c> block of a bench result, and reconstructs the recipe of a bench result written before recipes existed.
/// </summary>
public static class TrainingRecipeJson
{
    /// <summary>Key of the recipe block in a bench result JSON.</summary>
    public const string BenchKey = "recipe";

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        AllowDuplicateProperties = false,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.Strict,
    };

    /// <summary>The recipe as indented JSON.</summary>
    public static string Serialize(TrainingRecipe recipe)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        return JsonSerializer.Serialize(recipe, Options);
    }

    /// <summary>The recipe as a JSON node (for embedding in a bench result).</summary>
    public static JsonNode ToNode(TrainingRecipe recipe)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        return JsonSerializer.SerializeToNode(recipe, Options)!;
    }

    /// <summary>Parses and validates a recipe; <paramref name="source"/> names it in errors.</summary>
    public static TrainingRecipe Parse(string json, string source = "recipe")
    {
        ArgumentNullException.ThrowIfNull(json);
        TrainingRecipe? recipe;
        try
        {
            recipe = JsonSerializer.Deserialize<TrainingRecipe>(json, Options);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: {Describe(e)}", e);
        }

        if (recipe is null)
        {
            throw new InvalidDataException($"{source}: the recipe is null.");
        }

        try
        {
            recipe.Validate();
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{source}: {e.Message}", e);
        }

        return recipe;
    }

    /// <summary>
    /// The recipe in <paramref name="path"/>: a recipe file, or a bench result JSON — its <c>recipe</c> block, or for
    /// a result written before recipes existed, the recipe its recorded <c>bench pat</c> arguments describe
    /// (<see cref="BenchArguments"/>).
    /// </summary>
    public static TrainingRecipe Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var text = File.ReadAllText(path);
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(text);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not JSON: {e.Message}", e);
        }

        if (root is not JsonObject json || !json.ContainsKey("modes"))
        {
            return Parse(text, $"'{path}'");
        }

        if (json[BenchKey] is JsonObject recipe)
        {
            return Parse(recipe.ToJsonString(), $"'{path}' recipe");
        }

        return BenchArguments.Reconstruct(json, path);
    }

    private static string Describe(JsonException e)
        => e.Path is { Length: > 0 } path ? $"{e.Message.Split(" Path:")[0]} (at {path})" : e.Message;
}
