using System.Globalization;
using Edge.Agent.Commands;
using Edge.Agent.Inference;
using Edge.Agent.Models;
using Edge.Agent.Tests.Models;
using Edge.Devices.Emulation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Edge.Agent.Tests.Inference;

/// <summary>The <c>run</c> service classifies files dropped into <c>Edge:Inference:WatchDirectory</c>.</summary>
public sealed class WatchedDirectoryTests(TrainedPackages packages) : IDisposable
{
    private readonly TempDirectory _folder = new();

    private string Watched => _folder.File("watch");

    private Dictionary<string, string?> Environment(int stableMs = 50) => new()
    {
        ["EDGE_DEVICE__SYSTEM"] = TrainedPackages.System,
        ["EDGE_DEVICE__DEVICEID"] = TrainedPackages.DeviceId,
        ["EDGE_MODELS__STOREDIRECTORY"] = _folder.File("store"),
        ["EDGE_MODELS__PUBLICKEYPATH"] = packages.PublicKeyPath,
        ["EDGE_MODELS__CALIBRATIONSETPATH"] = packages.CalibrationPath,
        ["EDGE_INFERENCE__WATCHDIRECTORY"] = Watched,
        ["EDGE_INFERENCE__STABLEMILLISECONDS"] = stableMs.ToString(CultureInfo.InvariantCulture),
        ["EDGE_INFERENCE__POLLMILLISECONDS"] = "20",
    };

    [Fact]
    public async Task Dropped_files_are_classified_once_and_moved_with_their_results_or_their_error()
    {
        var env = Environment();
        await InstallAsync(env);
        Directory.CreateDirectory(Watched);
        var token = TestContext.Current.CancellationToken;
        await File.WriteAllTextAsync(Path.Combine(Watched, "a.csv"), Rows(0, 3), token);
        await File.WriteAllTextAsync(Path.Combine(Watched, "b.json"), "[" + Row(4) + "]", token);
        await File.WriteAllTextAsync(Path.Combine(Watched, "bad.csv"), Row(5) + "\n1,2,abc\n", token);
        await File.WriteAllTextAsync(Path.Combine(Watched, "empty.json"), "[]", token);
        await File.WriteAllTextAsync(Path.Combine(Watched, "notes.txt"), "not for the model", token);
        await File.WriteAllTextAsync(Path.Combine(Watched, ".incoming.csv"), Rows(0, 1), token);

        await using var service = await ServiceHost.StartAsync(env);
        var processed = Path.Combine(Watched, "processed");
        var failed = Path.Combine(Watched, "failed");
        await Poll.UntilAsync(() => File.Exists(Path.Combine(processed, "b.json.result.tsv"))
            && File.Exists(Path.Combine(failed, "empty.json.error.txt"))
                && File.Exists(Path.Combine(failed, "bad.csv.error.txt"))
                    && File.Exists(Path.Combine(processed, "a.csv.result.tsv")), "four files handled");

        var results = await File.ReadAllLinesAsync(Path.Combine(processed, "a.csv.result.tsv"), token);
        Assert.Equal("example\tlabel\tconfidence\tdigital_us\tdevice_us\tmodel\tdegraded", results[0]);
        Assert.Equal(["a.csv:1", "a.csv:2", "a.csv:3"], results.Skip(1).Select(r => r.Split('\t')[0]));
        Assert.All(results.Skip(1), r => Assert.Contains(r.Split('\t')[1], packages.Task.ClassNames));
        Assert.All(results.Skip(1), r => Assert.Equal("1", r.Split('\t')[5]));
        Assert.All(results.Skip(1), r => Assert.Equal("0", r.Split('\t')[6]));
        Assert.Contains("bad.csv:2", await File.ReadAllTextAsync(Path.Combine(failed, "bad.csv.error.txt"), token),
            StringComparison.Ordinal);
        Assert.Contains("expected an array of 12 numbers",
            await File.ReadAllTextAsync(Path.Combine(failed, "empty.json.error.txt"), token), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(processed, "a.csv")) && File.Exists(Path.Combine(failed, "bad.csv")),
            "the files themselves are kept");

        // Hidden names (a writer's temporary file) and other extensions stay untouched until renamed in.
        Assert.Equal([".incoming.csv", "notes.txt"],
            Directory.GetFiles(Watched).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        File.Move(Path.Combine(Watched, ".incoming.csv"), Path.Combine(Watched, "a.csv"));
        await Poll.UntilAsync(() => Directory.GetFiles(processed, "a-*.csv.result.tsv").Length == 1,
            "the renamed-in file classified under a new name beside the first");
        var watcher = service.Services.GetRequiredService<WatchedDirectoryService>();
        Assert.Equal(3, watcher.Processed);
        Assert.Equal(2, watcher.Failed);
    }

    [Fact]
    public async Task A_file_still_being_written_is_read_only_once_it_is_complete()
    {
        // The window is measured on the service's TimeProvider: while the test holds the clock, no machine is too slow
        // for a half-written file to look finished, and nothing waits out the window in real time.
        var env = Environment(stableMs: 400);
        await InstallAsync(env);
        Directory.CreateDirectory(Watched);
        var clock = new VirtualClock();
        await using var service = await ServiceHost.StartAsync(
            env, services => services.Replace(ServiceDescriptor.Singleton<TimeProvider>(clock)));
        var path = Path.Combine(Watched, "slow.csv");
        var token = TestContext.Current.CancellationToken;
        await using (var writer = new StreamWriter(path))
        {
            for (var r = 0; r < 8; r++)
            {
                await writer.WriteLineAsync(Row(r));
                await writer.FlushAsync(token);

                // 8 × 40 ms stays inside the window; the real pause lets the 20 ms scans see the partial file.
                clock.Advance(0.040);
                await Task.Delay(30, token);
            }
        }

        var result = Path.Combine(Watched, "processed", "slow.csv.result.tsv");
        Assert.False(File.Exists(result), "classified before the file held still for the window");
        await Poll.UntilAsync(
            () =>
            {
                clock.Advance(0.1);
                return File.Exists(result);
            },
            "slow.csv classified once the window passed");
        Assert.Equal(8, (await File.ReadAllLinesAsync(result, token)).Length - 1);
        Assert.False(Directory.Exists(Path.Combine(Watched, "failed"))
            && Directory.GetFiles(Path.Combine(Watched, "failed")).Length > 0);
    }

    [Fact]
    public async Task Files_wait_while_no_model_is_active_and_are_classified_once_one_is()
    {
        var env = Environment();
        Directory.CreateDirectory(Watched);
        await File.WriteAllTextAsync(Path.Combine(Watched, "early.csv"), Rows(0, 2),
            TestContext.Current.CancellationToken);
        await using var service = await ServiceHost.StartAsync(env);

        await Task.Delay(300, TestContext.Current.CancellationToken);
        Assert.True(File.Exists(Path.Combine(Watched, "early.csv")), "the file must wait for a model, not fail");
        Assert.Empty(Directory.GetFiles(Path.Combine(Watched, "failed")));

        using var package = new MemoryStream(packages.Package(packages.Trained, 1));
        Assert.True((await service.Services.GetRequiredService<ModelStore>().InstallAsync(package,
            TestContext.Current.CancellationToken)).Accepted);
        await Poll.UntilAsync(() => File.Exists(Path.Combine(Watched, "processed", "early.csv.result.tsv")),
            "early.csv classified after the install");
    }

    [Fact]
    public async Task Watch_settings_the_service_cannot_use_are_refused_naming_the_key()
    {
        var env = Environment();
        env["EDGE_MODELS__STOREDIRECTORY"] = "";
        env["EDGE_INFERENCE__PROCESSEDDIRECTORY"] = Watched;
        env["EDGE_INFERENCE__POLLMILLISECONDS"] = "0";

        var (code, _, error) = await AgentRun.InvokeAsync(env, "run");

        Assert.Equal(ExitCodes.InvalidConfiguration, code);
        Assert.Contains("Edge:Inference:WatchDirectory: a watched folder needs a model", error,
            StringComparison.Ordinal);
        Assert.Contains("Edge:Inference:WatchDirectory: folder", error, StringComparison.Ordinal);
        Assert.Contains("three different folders", error, StringComparison.Ordinal);
        Assert.Contains("Edge:Inference:PollMilliseconds", error, StringComparison.Ordinal);

        env["EDGE_INFERENCE__STABLEMILLISECONDS"] = "soon";
        env["EDGE_MODELS__KEEPVERSIONS"] = "many";
        (code, _, error) = await AgentRun.InvokeAsync(env, "run");
        Assert.Equal(ExitCodes.InvalidConfiguration, code);
        Assert.True(error.Contains("'many'", StringComparison.Ordinal)
            || error.Contains("'soon'", StringComparison.Ordinal), error);

        env["EDGE_INFERENCE__STABLEMILLISECONDS"] = "100";
        env["EDGE_MODELS__KEEPVERSIONS"] = "3";
        env["EDGE_INFERENCE__WATCHDIRECTORI"] = "typo";
        (code, _, error) = await AgentRun.InvokeAsync(env, "run");
        Assert.Equal(ExitCodes.InvalidConfiguration, code);
        Assert.Contains("WATCHDIRECTORI", error, StringComparison.Ordinal);
    }

    public void Dispose() => _folder.Dispose();

    private string Row(int index)
        => string.Join(',',
            packages.Task.Test.Row(index).ToArray().Select(v => v.ToString(CultureInfo.InvariantCulture)));

    private string Rows(int first, int count) => string.Join('\n', Enumerable.Range(first, count).Select(Row)) + "\n";

    private async Task InstallAsync(Dictionary<string, string?> env)
    {
        var path = _folder.File("v1.edgepkg");
        await File.WriteAllBytesAsync(path, packages.Package(packages.Trained, 1),
            TestContext.Current.CancellationToken);
        var (code, _, error) = await AgentRun.InvokeAsync(env, "models", "install", path);
        Assert.True(code == ExitCodes.Success, error);
    }
}
