using System.Text.Json;

namespace Edge.Tests.Shared;

/// <summary>
/// One row of docs/security.md's attack table, written by the test that carries the attack out. The test asserts the
/// expected outcome itself; the row only records what it observed, so `bench security` can gather the rows of a run
/// (it sets <see cref="Variable"/> to a file) into the table. Without the variable, recording does nothing.
/// </summary>
public static class SecurityReport
{
    /// <summary>Environment variable naming the JSON-lines file rows are appended to.</summary>
    public const string Variable = "EDGE_SECURITY_REPORT";

    private static readonly Lock Gate = new();

    /// <summary>The command that repeats one test of <paramref name="project"/> (a folder under tests/).</summary>
    public static string TestCommand(string project, string method)
        => $"dotnet test --project tests/{project} -c Release -- --filter-method '*{method}*'";

    /// <summary>
    /// Records one attack: <paramref name="id"/> orders and de-duplicates rows, <paramref name="command"/> is how to
    /// repeat it (the test's name or a shell line), <paramref name="held"/> whether the defence held (refused or
    /// bounded as expected).
    /// </summary>
    public static void Record(string id, string attack, string command, string expected, string observed, bool held)
    {
        if (Environment.GetEnvironmentVariable(Variable) is not { Length: > 0 } path)
        {
            return;
        }

        var row = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["id"] = id,
            ["attack"] = attack,
            ["command"] = command,
            ["expected"] = expected,
            ["observed"] = observed,
            ["held"] = held,
        });
        lock (Gate)
        {
            File.AppendAllText(path, row + "\n");
        }
    }
}
