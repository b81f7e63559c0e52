using Spectre.Console;

namespace Edge.Trainer.Cli;

/// <summary>Shows one progress bar per stage of a long job (twin data, twin fit, each mode and seed).</summary>
internal static class ProgressReporter
{
    public static async Task<T> RunAsync<T>(Func<Action<string, double>, Task<T>> job)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive)
        {
            // Logs and CI get one line per finished stage instead of redrawn bars.
            var finished = new HashSet<string>();
            return await job((stage, fraction) =>
            {
                if (fraction >= 1 && finished.Add(stage))
                {
                    AnsiConsole.MarkupLine($"[grey]{DateTime.Now:HH:mm:ss}[/] done: {Markup.Escape(stage)}");
                }
            }).ConfigureAwait(false);
        }

        return await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                new ElapsedTimeColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var tasks = new Dictionary<string, ProgressTask>();
                return await job((stage, fraction) =>
                {
                    if (!tasks.TryGetValue(stage, out var task))
                    {
                        task = context.AddTask(Markup.Escape(stage), maxValue: 1.0);
                        tasks[stage] = task;
                    }

                    task.Value = Math.Min(1.0, fraction);
                }).ConfigureAwait(false);
            }).ConfigureAwait(false);
    }
}
