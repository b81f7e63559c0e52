using Spectre.Console;

namespace Edge.Trainer.Cli;

/// <summary>
/// Spectre.Console lays tables out for 80 columns when stdout is not a terminal, so a table written to a log, a pipe
/// or the journal wraps its cells across lines (agent names split in two). Redirected, the width is made wide enough
/// that every row stays on one line.
/// </summary>
internal static class RedirectedConsole
{
    /// <summary>Columns a redirected table may use: far more than any row needs.</summary>
    public const int Width = 4096;

    /// <summary>Unwraps tables when stdout is redirected; a terminal keeps its own width.</summary>
    public static void UnwrapWhenRedirected()
    {
        if (Console.IsOutputRedirected)
        {
            AnsiConsole.Profile.Width = Width;
        }
    }
}
