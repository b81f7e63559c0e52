using Edge.Agent.Audio;
using Edge.Domain.Audio;

namespace Edge.Agent.Tests.Audio;

public sealed class ArecordCaptureSourceTests
{
    [Fact]
    public async Task Raw_pcm_from_a_capture_program_arrives_in_blocks_through_the_front_end()
    {
        var tone = Enumerable.Range(0,
            2400).Select(n => (float)(0.5 * Math.Sin(2 * Math.PI * 440 * n / 8000))).ToArray();
        var raw = WavWriter.Encode(tone.Select(v => (double)v).ToArray(), 1, 8000, WavEncoding.Pcm16)[44..];
        var path = Path.Combine(Path.GetTempPath(), $"edge-capture-{Guid.NewGuid():N}.raw");
        await File.WriteAllBytesAsync(path, [.. raw, 0x7F], TestContext.Current.CancellationToken);
        try
        {
            // cat stands in for arecord: the same raw S16_LE stream on stdout, plus a dangling half sample.
            var source = new ArecordCaptureSource("cat", [path], 8000, blockSamples: 500);
            var received = new List<float>();
            var blocks = 0;
            var delivered = await source.RunAsync(block => { received.AddRange(block.ToArray()); blocks++; },
                TestContext.Current.CancellationToken);

            Assert.Equal(tone.Length, delivered);
            Assert.Equal(5, blocks);
            for (var i = 0; i < tone.Length; i++)
            {
                Assert.Equal(tone[i], received[i], 1f / 32768);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Missing_capture_program_is_named_without_blaming_alsa_utils()
    {
        var source = new ArecordCaptureSource("edge-no-such-capture", [], 8000);
        var error = await Assert.ThrowsAsync<AudioCaptureException>(()
            => source.RunAsync(_ => { }, TestContext.Current.CancellationToken));
        Assert.Contains("Cannot start capture program 'edge-no-such-capture'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("alsa-utils", error.Message, StringComparison.Ordinal);
        Assert.Contains("is executable", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_arecord_says_how_to_install_it()
    {
        var source = new ArecordCaptureSource("/nonexistent/bin/arecord", [], 8000);
        var error = await Assert.ThrowsAsync<AudioCaptureException>(
            () => source.RunAsync(_ => { }, TestContext.Current.CancellationToken));
        Assert.Contains("apt-get install alsa-utils", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Failing_capture_program_reports_its_exit_code_and_error_text()
    {
        var source = new ArecordCaptureSource("sh", ["-c", "echo 'audio open error: No such device' >&2; exit 1"],
            8000);
        var error = await Assert.ThrowsAsync<AudioCaptureException>(()
            => source.RunAsync(_ => { }, TestContext.Current.CancellationToken));
        Assert.Contains("exited with code 1: audio open error: No such device", error.Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancellation_stops_an_endless_capture()
    {
        var source = new ArecordCaptureSource("cat", ["/dev/zero"], 8000);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        long seen = 0;
        var delivered = await source.RunAsync(block => { seen += block.Length; if (seen > 40_000) { stop.Cancel(); } },
            stop.Token);
        Assert.True(delivered > 40_000);
    }
}
