using System.Text.Json.Nodes;
using Edge.Trainer.Cli;
using Edge.Trainer.Training;

namespace Edge.Trainer.Recipes;

/// <summary>
/// The recipe of a bench result written before results carried one: its recorded <c>run.arguments</c> parsed by
/// today's <c>bench pat</c> options (defaults fill what the command line left out), the task taken from the result
/// (a leave-one-speaker-out fold names its speaker there), the PAT network of seed 0 (or the first mode run), on the
/// part the bench then trained on (<see cref="PartOf"/>).
/// </summary>
public static class BenchArguments
{
    /// <summary>
    /// The part every <c>bench pat</c> trained on until <see cref="DefaultPartChanged"/> (it had no option for it).
    /// </summary>
    public const string EarlierDefaultPart = "edge-sim-0001";

    /// <summary>When the bench's part became <c>sim-0001</c> (commit d52eac3), as ISO 8601 UTC.</summary>
    public const string DefaultPartChanged = "2026-12-07T12:21:44Z";

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
            options = options with { Task = task, DeviceId = PartOf(result) };
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

    /// <summary>
    /// The part a result without a recipe was measured on: <see cref="EarlierDefaultPart"/> when it was run before
    /// <see cref="DefaultPartChanged"/> or records no time (recovered results are all older), else today's default.
    /// A network rebuilt on another part than it was benched on misses its figure (fsdd on electronic: 89.4 % on
    /// <c>sim-0001</c> against 93.4 % benched and 92.2 % rebuilt on <c>edge-sim-0001</c>).
    /// </summary>
    public static string PartOf(JsonObject result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var timestamp = result["run"]?["timestamp_utc"]?.GetValue<string>();
        return timestamp is null || string.CompareOrdinal(timestamp, DefaultPartChanged) < 0
            ? EarlierDefaultPart
            : Edge.Domain.Simulation.PhysicalSystems.DefaultPartId;
    }
}
