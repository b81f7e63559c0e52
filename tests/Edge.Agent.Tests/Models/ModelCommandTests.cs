using Edge.Agent.Commands;

namespace Edge.Agent.Tests.Models;

/// <summary>The <c>models</c>, <c>status</c> and <c>classify</c> verbs end to end, in-process.</summary>
public sealed class ModelCommandTests(TrainedPackages packages) : IDisposable
{
    private readonly TempDirectory _folder = new();

    private Dictionary<string, string?> Environment() => new()
    {
        ["EDGE_DEVICE__SYSTEM"] = TrainedPackages.System,
        ["EDGE_DEVICE__DEVICEID"] = TrainedPackages.DeviceId,
        ["EDGE_MODELS__STOREDIRECTORY"] = _folder.File("store"),
        ["EDGE_MODELS__PUBLICKEYPATH"] = packages.PublicKeyPath,
        ["EDGE_MODELS__CALIBRATIONSETPATH"] = packages.CalibrationPath,
        ["EDGE_MODELS__TOLERANCE"] = "0.1",
    };

    private string Save(string name, byte[] package)
    {
        var path = _folder.File(name);
        File.WriteAllBytes(path, package);
        return path;
    }

    [Fact]
    public async Task Install_list_classify_rollback_and_status_work_together()
    {
        var env = Environment();
        var (code, output, error) = await AgentRun.InvokeAsync(env, "models", "install",
            Save("v1.edgepkg", packages.Package(packages.Trained, 1)));
        Assert.True(code == ExitCodes.Success, error);
        Assert.Contains("Version 1 installed and active", output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Success,
            (await AgentRun.InvokeAsync(env, "models", "install",
                Save("v2.edgepkg", packages.Package(packages.Trained, 2)))).ExitCode);

        (code, _, error) = await AgentRun.InvokeAsync(env, "models", "install",
            Save("bad.edgepkg", packages.Package(packages.Untrained, 3)));
        Assert.Equal(ExitCodes.Refused, code);
        Assert.Contains("Rejected: Calibration accuracy", error, StringComparison.Ordinal);

        (code, output, _) = await AgentRun.InvokeAsync(env, "models", "list");
        Assert.Equal(ExitCodes.Success, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.StartsWith("      2       *", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("Live health: not measured yet", lines[3], StringComparison.Ordinal);

        var test = packages.Task.Test;
        var csv = string.Join('\n',
            Enumerable.Range(0,
                3).Select(i
                    => string.Join(',',
                        test.Row(i).ToArray()
                            .Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)))));
        Directory.CreateDirectory(_folder.File("examples"));
        await File.WriteAllTextAsync(_folder.File("examples/a.csv"), csv, TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(_folder.File("examples/b.json"),
            "[" + string.Join(',',
                test.Row(4).ToArray().Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture))) + "]",
                    TestContext.Current.CancellationToken);
        (code, output, error) = await AgentRun.InvokeAsync(env, "classify", _folder.File("examples"));
        Assert.True(code == ExitCodes.Success, error);
        var rows = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["a.csv:1", "a.csv:2", "a.csv:3", "b.json:1"], rows.Skip(1).Select(r => r.Split('\t')[0]));
        Assert.All(rows.Skip(1), r => Assert.Contains(r.Split('\t')[1], packages.Task.ClassNames));

        (code, output, _) = await AgentRun.InvokeAsync(env, "models", "rollback");
        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains("Version 1 is active", output, StringComparison.Ordinal);
        (code, output, _) = await AgentRun.InvokeAsync(env, "status");
        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains("active:    version 1, task vowels", output, StringComparison.Ordinal);
        Assert.Contains("installed: 2, 1", output, StringComparison.Ordinal);
        Assert.Contains("health:    not measured yet", output, StringComparison.Ordinal);

        (code, _, error) = await AgentRun.InvokeAsync(env, "models", "rollback");
        Assert.Equal(ExitCodes.Refused, code);
        Assert.Contains("no earlier version", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_inputs_and_configuration_get_clear_errors_and_exit_codes()
    {
        var env = Environment();
        var (code, _, error) = await AgentRun.InvokeAsync(env, "classify", _folder.File("missing.csv"));
        Assert.Equal(ExitCodes.Refused, code);
        Assert.Contains("No model is active", error, StringComparison.Ordinal);

        await AgentRun.InvokeAsync(env, "models", "install", Save("v1.edgepkg", packages.Package(packages.Trained, 1)));
        await File.WriteAllTextAsync(_folder.File("bad.csv"), "1,2,3\n", TestContext.Current.CancellationToken);
        (code, _, error) = await AgentRun.InvokeAsync(env, "classify", _folder.File("bad.csv"));
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("bad.csv:1: expected 12 comma-separated values, found 3", error, StringComparison.Ordinal);
        await File.WriteAllTextAsync(_folder.File("bad.json"), "[[1, \"x\"]]", TestContext.Current.CancellationToken);
        (code, _, error) = await AgentRun.InvokeAsync(env, "classify", _folder.File("bad.json"));
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("expected an array of 12 numbers", error, StringComparison.Ordinal);
        (code, _, error) = await AgentRun.InvokeAsync(env, "classify", _folder.File("examples") + "/");
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("examples/' does not exist: give a .csv, .json or .wav file", error, StringComparison.Ordinal);
        Assert.DoesNotContain("extension", error, StringComparison.Ordinal);
        (code, _, error) = await AgentRun.InvokeAsync(env, "models", "install", _folder.File("nothing.edgepkg"));
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("nothing.edgepkg", error, StringComparison.Ordinal);

        env["EDGE_MODELS__KEEPVERSIONS"] = "1";
        env["EDGE_MODELS__PUBLICKEYPATH"] = _folder.File("no-key.pem");
        (code, _, error) = await AgentRun.InvokeAsync(env, "status");
        Assert.Equal(ExitCodes.InvalidConfiguration, code);
        Assert.Contains("Edge:Models:KeepVersions: must be at least 2", error, StringComparison.Ordinal);
        Assert.Contains("Edge:Models:PublicKeyPath: file", error, StringComparison.Ordinal);

        env.Remove("EDGE_MODELS__STOREDIRECTORY");
        (code, _, error) = await AgentRun.InvokeAsync(env, "models", "list");
        Assert.Equal(ExitCodes.InvalidConfiguration, code);
        Assert.Contains("No model store is configured", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Models_shows_what_the_store_repaired_also_to_a_later_run()
    {
        var env = Environment();
        var (code, _, error) = await AgentRun.InvokeAsync(env, "models", "install",
            Save("v1.edgepkg", packages.Package(packages.Trained, 1)));
        Assert.True(code == ExitCodes.Success, error);
        await File.WriteAllTextAsync(_folder.File("store/state.json"), "{ torn", TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(_folder.File("store/incoming/interrupted.tmp"), "half",
            TestContext.Current.CancellationToken);

        (code, var output, error) = await AgentRun.InvokeAsync(env, "models");
        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains("warning: ", error, StringComparison.Ordinal);
        Assert.Contains("      1       *", output, StringComparison.Ordinal);
        Assert.Contains("Store recoveries (3, newest last", output, StringComparison.Ordinal);
        Assert.Contains("interrupted.tmp: a temporary file left by an interrupted write", output,
            StringComparison.Ordinal);
        Assert.Contains("state.json: unreadable", output, StringComparison.Ordinal);
        Assert.Contains("state.json: not usable (above); restored from state.copy.json", output,
            StringComparison.Ordinal);

        // The next run finds nothing to repair, yet the operator still sees what was repaired, and when.
        (code, output, error) = await AgentRun.InvokeAsync(env, "status");
        Assert.Equal(ExitCodes.Success, code);
        Assert.DoesNotContain("warning: ", error, StringComparison.Ordinal);
        Assert.Contains("problems:  0", output, StringComparison.Ordinal);
        Assert.Contains("Store recoveries (3, newest last", output, StringComparison.Ordinal);
    }

    public void Dispose() => _folder.Dispose();
}
