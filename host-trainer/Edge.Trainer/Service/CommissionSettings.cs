using Edge.Trainer.Live.Commissioning;

namespace Edge.Trainer.Service;

/// <summary>
/// Automatic commissioning of <c>serve</c>, bound from <c>Edge:Commission</c>: off until <see cref="Package"/> names
/// the product-line package. The signing key, calibration set, task, system and package folder are the field
/// updates' (<c>Edge:FieldUpdates</c>). Each setting has a <c>serve</c> option of the same meaning.
/// </summary>
public sealed class CommissionSettings
{
    /// <summary>Configuration section the options are bound from.</summary>
    public const string SectionName = "Edge:Commission";

    /// <summary>Product-line package every new agent of the system is commissioned from, once. Null: off.</summary>
    public string? Package { get; set; }

    /// <summary>Drives played through a new part to fit its own twin.</summary>
    public int TwinSamples { get; set; } = CommissioningDefaults.TwinSamples;

    /// <summary>PAT epochs of the fine-tune through the new part.</summary>
    public int Epochs { get; set; } = CommissioningDefaults.Epochs;

    /// <summary>Wait after a refused or failed commissioning, doubled at each further one (up to 6 h).</summary>
    public TimeSpan Retry { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the trainer looks for new agents.</summary>
    public TimeSpan CheckEvery { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Every problem of these settings (with the field updates' they share), each naming its key.</summary>
    public List<string> Problems(FieldUpdateSettings updates)
    {
        ArgumentNullException.ThrowIfNull(updates);
        var problems = new List<string>();
        void Require(bool valid, string key, string problem)
        {
            if (!valid)
            {
                problems.Add($"{key}: {problem}");
            }
        }

        var section = SectionName + ":";
        Require(TwinSamples > 0, section + nameof(TwinSamples), $"must be positive, was {TwinSamples}.");
        Require(Epochs > 0, section + nameof(Epochs), $"must be positive, was {Epochs}.");
        Require(Retry > TimeSpan.Zero, section + nameof(Retry), $"must be positive, was {Retry}.");
        Require(CheckEvery > TimeSpan.Zero, section + nameof(CheckEvery), $"must be positive, was {CheckEvery}.");
        if (Package is null)
        {
            return problems;
        }

        Require(File.Exists(Package), section + nameof(Package), $"'{Package}' does not exist.");
        var shared = FieldUpdateSettings.SectionName + ":";
        Require(
            updates.SigningKey is not null,
            shared + nameof(FieldUpdateSettings.SigningKey),
            "commissioned models are signed packages: set the key.");
        Require(
            updates.Calibration is not null,
            shared + nameof(FieldUpdateSettings.Calibration),
            "the agents' calibration set is hashed into each commissioned package: set its CSV file.");
        if (updates.Watch.Count == 0)
        {
            // With a watch the field-update check already names missing files.
            foreach (var (key, file) in new[]
            {
                (nameof(FieldUpdateSettings.SigningKey), updates.SigningKey),
                (nameof(FieldUpdateSettings.Calibration), updates.Calibration),
            })
            {
                Require(file is null || File.Exists(file), shared + key, $"'{file}' does not exist.");
            }
        }

        return problems;
    }
}
