using System.Globalization;
using Edge.Agent.Commands;

namespace Edge.Agent.Tests.Inference;

/// <summary>WAV recordings dropped into the watched folder of an agent whose model takes sound.</summary>
public sealed class WatchedWavTests(AudioPackages audio) : IDisposable
{
    private readonly TempDirectory _folder = new();

    [Fact]
    public async Task Recordings_in_the_watched_folder_are_classified_and_broken_ones_refused()
    {
        var env = audio.StoreEnvironment(_folder.File("store"));
        var package = _folder.File("digits.edgepkg");
        await File.WriteAllBytesAsync(package, audio.Package(1), TestContext.Current.CancellationToken);
        var (code, _, error) = await AgentRun.InvokeAsync(env, "models", "install", package);
        Assert.True(code == ExitCodes.Success, error);
        var watched = Directory.CreateDirectory(_folder.File("watch")).FullName;
        env["EDGE_INFERENCE__WATCHDIRECTORY"] = watched;
        env["EDGE_INFERENCE__STABLEMILLISECONDS"] = "50";
        env["EDGE_INFERENCE__POLLMILLISECONDS"] = "20";
        var path = audio.TestRecordings()[3].Path;
        File.Copy(path, Path.Combine(watched, "word.wav"));
        await File.WriteAllBytesAsync(Path.Combine(watched, "noise.wav"), "RIFF\u0004\0\0\0WAVE"u8.ToArray(),
            TestContext.Current.CancellationToken);

        await using var service = await ServiceHost.StartAsync(env);
        await Poll.UntilAsync(() => File.Exists(Path.Combine(watched, "processed", "word.wav.result.tsv"))
            && File.Exists(Path.Combine(watched, "failed", "noise.wav.error.txt")), "both recordings handled");

        var result = (await File.ReadAllLinesAsync(Path.Combine(watched, "processed", "word.wav.result.tsv"),
            TestContext.Current.CancellationToken))[1].Split('\t');
        Assert.Equal("word.wav", result[0]);
        Assert.Contains(result[1], audio.Task.ClassNames);
        Assert.InRange(double.Parse(result[2], CultureInfo.InvariantCulture), 0.1, 1);
        var problem = await File.ReadAllTextAsync(Path.Combine(watched, "failed", "noise.wav.error.txt"),
            TestContext.Current.CancellationToken);
        Assert.Contains("noise.wav", problem, StringComparison.Ordinal);
    }

    public void Dispose() => _folder.Dispose();
}
