using System.Globalization;
using Edge.Agent.Commands;
using Edge.Agent.Inference;
using Edge.Agent.Tests.Models;
using Edge.Domain.Audio;

namespace Edge.Agent.Tests.Inference;

/// <summary><c>edge-agent classify</c> with WAV recordings and a model packaged for audio (<c>--task
/// fsdd</c>).</summary>
public sealed class WavClassifyTests(AudioPackages audio, TrainedPackages vowels) : IDisposable
{
    private readonly TempDirectory _folder = new();

    [Fact]
    public void The_agent_turns_a_recording_into_exactly_the_features_the_model_was_trained_on()
    {
        var encoder = new AudioFeatures(audio.Audio);
        var recordings = audio.TestRecordings();
        for (var i = 0; i < 12; i++)
        {
            var features = encoder.FromWavFile(recordings[i].Path);
            var expected = audio.Task.Test.Row(i);
            for (var f = 0; f < features.Length; f++)
            {
                Assert.True(Math.Abs(features[f] - expected[f]) <= 1e-3 * (1 + Math.Abs(expected[f])),
                    $"recording {i} feature {f}: agent {features[f]}, training {expected[f]}");
            }
        }
    }

    [Fact]
    public async Task Wav_files_and_folders_of_them_give_the_digit_with_confidence_and_latency()
    {
        var env = audio.StoreEnvironment(_folder.File("store"));
        await InstallAsync(env, audio.Package(1));
        var recordings = audio.TestRecordings();
        var examples = Directory.CreateDirectory(_folder.File("wavs")).FullName;
        var expected = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < recordings.Count; i += 5)
        {
            var name = Path.GetFileName(recordings[i].Path);
            File.Copy(recordings[i].Path, Path.Combine(examples, name));
            expected[name] = recordings[i].Digit;
        }

        var (code, output, error) = await AgentRun.InvokeAsync(env, "classify", examples);

        Assert.True(code == ExitCodes.Success, error);
        var rows = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("example\tlabel\tconfidence\tdigital_us\tdevice_us\tdegraded", rows[0]);
        Assert.Equal(expected.Count, rows.Length - 1);
        var correct = 0;
        foreach (var row in rows.Skip(1))
        {
            var fields = row.Split('\t');
            Assert.True(expected.ContainsKey(fields[0]), $"unexpected example '{fields[0]}'");
            Assert.InRange(double.Parse(fields[2], CultureInfo.InvariantCulture), 0.1, 1.0);
            Assert.True(double.Parse(fields[3], CultureInfo.InvariantCulture) >= 0
                && double.Parse(fields[4], CultureInfo.InvariantCulture) > 0, row);
            correct += fields[1] == expected[fields[0]].ToString(CultureInfo.InvariantCulture) ? 1 : 0;
        }

        // Chance is 10 %; the model reaches about its test accuracy on these recordings.
        Assert.True(correct >= expected.Count * Math.Min(0.5, audio.TrainedAccuracy - 0.15),
            $"{correct} of {expected.Count} right (model test accuracy {audio.TrainedAccuracy:P0})");

        var single = Path.Combine(examples, expected.Keys.First());
        (code, output, error) = await AgentRun.InvokeAsync(env, "classify", single);
        Assert.True(code == ExitCodes.Success, error);
        Assert.StartsWith(Path.GetFileName(single) + "\t", output.Split('\n')[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Broken_and_unsupported_wavs_are_refused_naming_the_file_and_the_problem()
    {
        var env = audio.StoreEnvironment(_folder.File("store"));
        await InstallAsync(env, audio.Package(1));
        var good = await File.ReadAllBytesAsync(audio.TestRecordings()[0].Path, TestContext.Current.CancellationToken);
        var cases = new Dictionary<string, (byte[] Bytes, string Problem)>
        {
            ["truncated.wav"] = (good[..(good.Length / 2)], "truncated"),
            ["text.wav"] = ("hello, this is not audio"u8.ToArray(), "not a RIFF file"),
            ["eight-bit.wav"] = (EightBitWav(), "8-bit PCM is not supported"),
            ["tiny.wav"] = (WavWriter.Encode(new double[10], 1, 8000, WavEncoding.Pcm16),
                "shorter than one analysis frame"),
        };
        foreach (var (name, (bytes, problem)) in cases)
        {
            var path = _folder.File(name);
            await File.WriteAllBytesAsync(path, bytes, TestContext.Current.CancellationToken);
            var (code, output, error) = await AgentRun.InvokeAsync(env, "classify", path);
            Assert.Equal(ExitCodes.InvalidInput, code);
            Assert.Empty(output);
            Assert.Contains(name, error, StringComparison.Ordinal);
            Assert.Contains(problem, error, StringComparison.Ordinal);
        }

        var missing = await AgentRun.InvokeAsync(env, "classify", _folder.File("nowhere.wav"));
        Assert.Equal(ExitCodes.InvalidInput, missing.ExitCode);
        Assert.Contains("nowhere.wav", missing.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wav_for_a_model_that_takes_feature_vectors_is_refused_saying_why()
    {
        var env = new Dictionary<string, string?>
        {
            ["EDGE_DEVICE__SYSTEM"] = TrainedPackages.System,
            ["EDGE_DEVICE__DEVICEID"] = TrainedPackages.DeviceId,
            ["EDGE_MODELS__STOREDIRECTORY"] = _folder.File("vowel-store"),
            ["EDGE_MODELS__PUBLICKEYPATH"] = vowels.PublicKeyPath,
            ["EDGE_MODELS__CALIBRATIONSETPATH"] = vowels.CalibrationPath,
        };
        await InstallAsync(env, vowels.Package(vowels.Trained, 1));

        var (code, _, error) = await AgentRun.InvokeAsync(env, "classify", audio.TestRecordings()[0].Path);

        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("takes 12 feature values, not sound", error, StringComparison.Ordinal);
    }

    public void Dispose() => _folder.Dispose();

    private async Task InstallAsync(Dictionary<string, string?> env, byte[] package)
    {
        var path = _folder.File(Guid.NewGuid().ToString("N") + ".edgepkg");
        await File.WriteAllBytesAsync(path, package, TestContext.Current.CancellationToken);
        var (code, _, error) = await AgentRun.InvokeAsync(env, "models", "install", path);
        Assert.True(code == ExitCodes.Success, error);
    }

    private static byte[] EightBitWav()
    {
        var wav = WavWriter.Encode(new double[400], 1, 8000, WavEncoding.Pcm16);
        wav[34] = 8; // bits per sample
        wav[32] = 1; // block align
        return wav;
    }
}
