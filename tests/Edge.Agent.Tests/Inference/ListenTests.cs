using System.Globalization;
using Edge.Agent.Commands;
using Edge.Agent.Tests.Models;
using Edge.Domain.Audio;

namespace Edge.Agent.Tests.Inference;

/// <summary><c>edge-agent listen</c> with a fake <c>arecord</c> that plays recorded words with silence between
/// them.</summary>
public sealed class ListenTests(AudioPackages audio, TrainedPackages vowels) : IDisposable
{
    private readonly TempDirectory _folder = new();

    [Fact]
    public async Task Each_spoken_word_in_the_live_stream_is_cut_out_and_classified()
    {
        var env = audio.StoreEnvironment(_folder.File("store"));
        await InstallAsync(env, audio.Package(1));
        var recordings = audio.TestRecordings();
        var words = new[] { recordings[0], recordings[7], recordings[13] };
        var stream = _folder.File("stream.raw");
        await using (var raw = File.Create(stream))
        {
            raw.Write(new byte[8000]);
            foreach (var (path, _) in words)
            {
                var wav = WavReader.Read(path);
                Assert.Equal(8000, wav.SampleRate);
                foreach (var sample in wav.Samples)
                {
                    var value = (short)Math.Clamp(Math.Round(sample * 32767), short.MinValue, short.MaxValue);
                    raw.Write(BitConverter.GetBytes(value));
                }

                raw.Write(new byte[8000]);
            }
        }

        var fake = FakeCapture($"cat '{stream}'");
        var (code, output, error) = await AgentRun.InvokeAsync(env, "listen", "--capture-command", fake);

        Assert.True(code == ExitCodes.Success, error);
        var rows = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("utterance\tstart_s\tlabel\tconfidence\tdigital_us\tdevice_us", rows[0]);
        Assert.Equal(words.Length, rows.Length - 1);
        var starts = rows.Skip(1).Select(r => double.Parse(r.Split('\t')[1], CultureInfo.InvariantCulture)).ToArray();
        Assert.True(starts[0] >= 0.3 && starts[1] > starts[0] && starts[2] > starts[1], string.Join(", ", starts));
        var correct = 0;
        for (var i = 0; i < words.Length; i++)
        {
            var fields = rows[i + 1].Split('\t');
            Assert.Contains(fields[2], audio.Task.ClassNames);
            correct += fields[2] == words[i].Digit.ToString(CultureInfo.InvariantCulture) ? 1 : 0;
        }

        Assert.True(correct >= 2, $"{correct} of {words.Length} words right: {output}");
    }

    [Fact]
    public async Task A_capture_program_that_fails_is_reported_with_its_own_error()
    {
        var env = audio.StoreEnvironment(_folder.File("store"));
        await InstallAsync(env, audio.Package(1));

        var (code, _, error) = await AgentRun.InvokeAsync(env, "listen", "--capture-command",
            FakeCapture("echo 'arecord: main:831: audio open error: No such file or directory' >&2; exit 1"));
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains("audio open error", error, StringComparison.Ordinal);

        (code, _, error) = await AgentRun.InvokeAsync(env, "listen", "--capture-command",
            _folder.File("no-such-program"));
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains("Cannot start capture program", error, StringComparison.Ordinal);
        Assert.DoesNotContain("alsa-utils", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_capture_command_takes_its_arguments_in_one_quoted_value()
    {
        var env = audio.StoreEnvironment(_folder.File("store"));
        await InstallAsync(env, audio.Package(1));

        var (code, output, error) = await AgentRun.InvokeAsync(
            env, "listen", "--capture-command", "sh -c 'echo \"capture says: no card\" >&2; exit 3'");
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains("'sh' exited with code 3: capture says: no card", error, StringComparison.Ordinal);

        (code, output, error) = await AgentRun.InvokeAsync(
            env,
            "listen",
            "--capture-command",
            "head -c 16000 /dev/zero");
        Assert.True(code == ExitCodes.Success, error);
        Assert.StartsWith("utterance\t", output, StringComparison.Ordinal);

        (code, _, error) = await AgentRun.InvokeAsync(env, "listen", "--capture-command", "cat 'unclosed");
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains("--capture-command 'cat 'unclosed': a ' quote is not closed.", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Listening_needs_a_model_that_takes_sound()
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

        var (code, _, error) = await AgentRun.InvokeAsync(env, "listen", "--capture-command", FakeCapture("true"));

        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("not sound", error, StringComparison.Ordinal);
    }

    public void Dispose() => _folder.Dispose();

    private string FakeCapture(string body)
    {
        var path = _folder.File(Guid.NewGuid().ToString("N") + ".sh");
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        Assert.SkipUnless(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(),
            "the fake capture program is a shell script");
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return path;
    }

    private async Task InstallAsync(Dictionary<string, string?> env, byte[] package)
    {
        var path = _folder.File(Guid.NewGuid().ToString("N") + ".edgepkg");
        await File.WriteAllBytesAsync(path, package, TestContext.Current.CancellationToken);
        var (code, _, error) = await AgentRun.InvokeAsync(env, "models", "install", path);
        Assert.True(code == ExitCodes.Success, error);
    }
}
