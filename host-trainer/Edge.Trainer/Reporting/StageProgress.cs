namespace Edge.Trainer.Reporting;

/// <summary>
/// Reports one stage's fraction done as (stage, fraction) to a progress display. Synchronous, unlike
/// <see cref="Progress{T}"/>: fractions arrive in order and before the job moves on to its next stage.
/// </summary>
/// <param name="report">Receives (stage, fraction).</param>
/// <param name="stage">The stage's name.</param>
public sealed class StageProgress(Action<string, double> report, string stage) : IProgress<double>
{
    /// <inheritdoc />
    public void Report(double value) => report(stage, value);

    /// <summary>A progress for <paramref name="stage"/>, or null when nobody listens.</summary>
    public static StageProgress? For(Action<string, double>? report, string stage) => report is null ? null
        : new StageProgress(report, stage);
}
