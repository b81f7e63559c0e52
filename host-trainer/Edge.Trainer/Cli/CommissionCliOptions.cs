using System.CommandLine;
using Edge.Trainer.Service;

namespace Edge.Trainer.Cli;

/// <summary>
/// The <c>serve</c> options that turn on automatic commissioning, each setting its <c>Edge:Commission</c> key
/// (<see cref="CommissionSettings"/>): the product-line package every new part starts from, how hard a commissioning
/// trains and how it retries. The signing key, calibration set, task, system and package folder are the field-update
/// options'.
/// </summary>
internal sealed class CommissionCliOptions
{
    private const string Section = CommissionSettings.SectionName;

    private readonly Option<FileInfo?> _package = new("--commission")
    {
        Description = "Product-line package: commission every new agent of --system from it, once (turns it on).",
    };

    private readonly Option<int> _twinSamples = new("--commission-twin-samples")
    {
        Description = "Drives played through a new part to fit its own twin (default 3000).",
    };

    private readonly Option<int> _epochs = new("--commission-epochs")
    {
        Description = "PAT epochs of the fine-tune through the new part (default 5).",
    };

    private readonly Option<TimeSpan> _retry = new("--commission-retry")
    {
        Description = "Wait after a refused or failed commissioning, doubled at each further one, up to 6 h "
            + "(default 00:05:00).",
    };

    private readonly Option<TimeSpan> _checkEvery = new("--commission-check-every")
    {
        Description = "How often the trainer looks for new agents (default 00:00:10).",
    };

    /// <summary>
    /// Adds the options to <paramref name="command"/>, each mapped onto its key in <paramref name="settings"/>.
    /// </summary>
    public void AddTo(Command command, CommandLineSettings settings)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(settings);
        (Option Option, string Key, bool IsPath)[] options =
        [
            (_package, nameof(CommissionSettings.Package), true),
            (_twinSamples, nameof(CommissionSettings.TwinSamples), false),
            (_epochs, nameof(CommissionSettings.Epochs), false),
            (_retry, nameof(CommissionSettings.Retry), false),
            (_checkEvery, nameof(CommissionSettings.CheckEvery), false),
        ];
        foreach (var (option, key, isPath) in options)
        {
            command.Options.Add(option);
            settings.Map(option, $"{Section}:{key}", isPath);
        }
    }
}
