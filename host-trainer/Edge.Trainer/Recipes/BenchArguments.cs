using System.Text.Json.Nodes;
using Edge.Trainer.Cli;
using Edge.Trainer.Training;

namespace Edge.Trainer.Recipes;

/// <summary>
/// The recipe of a bench result written before results carried one: its recorded <c>run.arguments</c> parsed by
/// today's <c>bench pat</c> options (defaults fill what the command line left out), the task taken from the result
/// (a leave-one-speaker-out fold names its speaker there), the PAT network of seed 0 (or the first mode run).
/// </summary>
public static class BenchArguments
{
    /// <summary>
    /// Reconstructs the recipe of the bench result <paramref name="result"/> read from <paramref name="path"/>.
    /// </summary>
    public static TrainingRecipe Reconstruct(JsonObject result, string path)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result["run"]?["arguments"] is not JsonArray recorded)
        {
            throw new InvalidDataException(
                $"'{path}' is a bench result with neither a 'recipe' nor the 'run.arguments' it was made with.");
        }

        var arguments = recorded.Select(a => a?.GetValue<string>() ?? string.Empty).ToList();
        if (arguments.Count < 2 || arguments[0] != "bench" || arguments[1] != "pat")
        {
            throw new InvalidDataException($"'{path}' was not made by 'bench pat' ({string.Join(' ', arguments)}).");
        }

        try
        {
            var options = BenchCommand.ParseRecorded(arguments[2..]);
            var task = result["task"]?.GetValue<string>() ?? options.Task;
            options = options with { Task = task };
            var mode = options.Modes.Contains(TrainingMode.Pat) ? TrainingMode.Pat : options.Modes[0];
            var recipe = TrainingRecipe.From(options, mode, seed: 0);
            recipe.Validate();
            return recipe;
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"'{path}': its recorded bench arguments make no recipe: {e.Message}", e);
        }
    }
}
