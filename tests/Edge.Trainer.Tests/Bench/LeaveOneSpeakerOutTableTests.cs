using Edge.Trainer.Bench;
using Edge.Trainer.Cli;
using Edge.Trainer.Training;

namespace Edge.Trainer.Tests.Bench;

public sealed class LeaveOneSpeakerOutTableTests
{
    [Fact]
    public void Table_has_one_row_per_speaker_and_the_mean_over_speakers()
    {
        var folds = new List<(string, PatBenchmarkResult)> { ("george", Result(0.9, 0.8)), ("theo", Result(0.7, 0.6)) };

        var table = LeaveOneSpeakerOutCommand.Table([TrainingMode.Pat, TrainingMode.Digital], folds);

        Assert.Contains("| held-out speaker | pat | digital |", table, StringComparison.Ordinal);
        Assert.Contains("| george | 90.0 % | 80.0 % |", table, StringComparison.Ordinal);
        Assert.Contains("| theo | 70.0 % | 60.0 % |", table, StringComparison.Ordinal);
        Assert.Contains("| **mean** | **80.0 %** | **70.0 %** |", table, StringComparison.Ordinal);
    }

    private static PatBenchmarkResult Result(double pat, double digital) => new(
        new PatBenchmarkOptions { Modes = [TrainingMode.Pat, TrainingMode.Digital], Seeds = 1 },
        [Run(TrainingMode.Pat, pat), Run(TrainingMode.Digital, digital)],
        "twin",
        0.1,
        0.1,
        [],
        ([], []),
        0,
        0,
        0,
        0);

    private static TrainingResult Run(TrainingMode mode, double accuracy)
        => new(mode, 0, accuracy, [accuracy], accuracy, new int[10, 10], [], 0, 0);
}
