using System.Text.Json;
using Edge.Agent.Commands;
using Edge.Agent.Inference;
using Edge.Domain.Models;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Agent.Tests.Inference;

/// <summary>
/// The label-free normalisations a package can ask for (per-utterance CMVN, running per-device statistics) travel in
/// its signed manifest and are run by the agent's one audio path; packages without them read and behave as before.
/// </summary>
public sealed class AudioNormalisationTests(AudioPackages audio) : IDisposable
{
    private readonly TempDirectory _folder = new();

    private AudioInputEncoding Normalised => audio.Audio with
    {
        CepstralMeanNormalisation = true,
        CepstralVarianceNormalisation = true,
        DeviceStatisticsWindow = 20,
        DeviceStatisticsWarmUp = 3,
    };

    [Fact]
    public void A_package_without_the_new_settings_keeps_its_manifest_layout_and_fixed_standardisation()
    {
        var manifest = ModelPackageReader.Read(audio.Package(1), audio.Trust).Manifest;
        var json = JsonSerializer.Serialize(manifest, ModelJsonContext.Default.ModelManifest);

        foreach (var name in new[] { "cepstralMean", "cepstralVariance", "deltas", "deviceStatistics" })
        {
            Assert.DoesNotContain(name, json, StringComparison.OrdinalIgnoreCase);
        }

        var encoder = new AudioFeatures(manifest.Input.Audio!);
        Assert.Null(encoder.DeviceStatistics);
        var path = audio.TestRecordings()[0].Path;
        Assert.Equal(encoder.FromWavFile(path), encoder.FromWavFile(path));
    }

    [Fact]
    public void A_package_asking_for_cmvn_and_device_statistics_carries_them_signed_and_the_agent_adapts()
    {
        var manifest = ModelPackageReader.Read(audio.Package(2, audioInput: Normalised), audio.Trust).Manifest;
        var encoding = Assert.IsType<AudioInputEncoding>(manifest.Input.Audio);
        var options = encoding.ToOptions();
        Assert.True(options.CepstralMeanNormalisation && options.CepstralVarianceNormalisation);
        Assert.Equal(20, options.DeviceStatisticsWindow);
        Assert.Equal(3, options.DeviceStatisticsWarmUp);

        var encoder = new AudioFeatures(encoding);
        var path = audio.TestRecordings()[0].Path;
        var first = encoder.FromWavFile(path);
        var again = encoder.FromWavFile(path);
        Assert.Equal(2, encoder.DeviceStatistics!.Observed);
        Assert.NotEqual(first, again);
    }

    [Fact]
    public void Variance_normalisation_without_mean_normalisation_is_refused_at_install_naming_the_setting()
    {
        var broken = Normalised with { CepstralMeanNormalisation = false };
        var error = Assert.Throws<ModelPackageException>(
            () => ModelPackageReader.Read(audio.Package(3, audioInput: broken), audio.Trust));
        Assert.Contains("CepstralVarianceNormalisation", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_same_recordings_give_the_same_answers_through_classify_and_the_watched_folder()
    {
        var env = audio.StoreEnvironment(_folder.File("store"));
        var package = _folder.File("digits.edgepkg");
        await File.WriteAllBytesAsync(package, audio.Package(1, audioInput: Normalised), Token);
        var (code, _, error) = await AgentRun.InvokeAsync(env, "models", "install", package);
        Assert.True(code == ExitCodes.Success, error);
        var recordings = audio.TestRecordings().Where((_, i) => i % 7 == 0).Take(8).ToList();
        var words = Directory.CreateDirectory(_folder.File("words")).FullName;
        for (var i = 0; i < recordings.Count; i++)
        {
            File.Copy(recordings[i].Path, Path.Combine(words, $"w{i:D2}.wav"));
        }

        // classify reads a folder in name order; its running statistics see the words in that order.
        (code, var output, error) = await AgentRun.InvokeAsync(env, "classify", words);
        Assert.True(code == ExitCodes.Success, error);
        var classified = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(row => row.Split('\t')).ToDictionary(f => f[0], f => (Label: f[1], Confidence: f[2]));

        // The watched folder gets the same words one at a time, in the same order.
        var watched = Directory.CreateDirectory(_folder.File("watch")).FullName;
        env["EDGE_INFERENCE__WATCHDIRECTORY"] = watched;
        env["EDGE_INFERENCE__STABLEMILLISECONDS"] = "50";
        env["EDGE_INFERENCE__POLLMILLISECONDS"] = "20";
        await using var service = await ServiceHost.StartAsync(env);
        var agreed = 0;
        for (var i = 0; i < recordings.Count; i++)
        {
            var name = $"w{i:D2}.wav";
            File.Copy(Path.Combine(words, name), Path.Combine(watched, name));
            var result = Path.Combine(watched, "processed", name + ".result.tsv");
            await Poll.UntilAsync(() => File.Exists(result), $"{name} classified from the watched folder");
            var fields = (await File.ReadAllLinesAsync(result, Token))[1].Split('\t');
            var confidence = double.Parse(fields[2], System.Globalization.CultureInfo.InvariantCulture);
            var expected = double.Parse(classified[name].Confidence, System.Globalization.CultureInfo.InvariantCulture);
            agreed += fields[1] == classified[name].Label && Math.Abs(confidence - expected) < 0.1 ? 1 : 0;
        }

        // The simulated device's noise differs between the two runs, so answers may differ by a little; features
        // from a different normalisation state would move them far more.
        Assert.True(agreed >= recordings.Count - 1, $"{agreed} of {recordings.Count} answers agree");

        // The service's encoder (shared by the watched folder and MQTT requests) saw exactly these words in this
        // order: its running statistics equal those of a fresh encoder fed the same sequence.
        var (_, live) = service.Services.GetRequiredService<LiveInference>().ActiveInput();
        var reference = new AudioFeatures(Normalised);
        foreach (var recording in recordings)
        {
            reference.FromWavFile(recording.Path);
        }

        var statistics = live!.DeviceStatistics!;
        Assert.Equal(recordings.Count, statistics.Observed);
        for (var f = 0; f < statistics.Size; f++)
        {
            Assert.Equal(reference.DeviceStatistics!.Mean(f), statistics.Mean(f), 9);
            Assert.Equal(reference.DeviceStatistics.Scale(f), statistics.Scale(f), 9);
        }
    }

    public void Dispose() => _folder.Dispose();

    private static CancellationToken Token => TestContext.Current.CancellationToken;
}
