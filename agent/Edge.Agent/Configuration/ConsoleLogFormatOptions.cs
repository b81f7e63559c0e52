namespace Edge.Agent.Configuration;

/// <summary>
/// The console log formatter, bound from <c>Edge:Logging:Console</c> — the same key the console logger reads, checked
/// here because the logger itself silently falls back to plain text on an unknown name.
/// </summary>
public sealed class ConsoleLogFormatOptions
{
    /// <summary>Configuration section the options are bound from.</summary>
    public const string SectionName = "Edge:Logging:Console";

    /// <summary>Formatter names the agent accepts.</summary>
    public static IReadOnlyList<string> KnownFormatters { get; } = ["simple", "json", "systemd"];

    /// <summary><c>simple</c>, <c>json</c> or <c>systemd</c>; empty keeps the default (systemd under systemd, else
    /// simple).</summary>
    public string? FormatterName { get; set; }
}
