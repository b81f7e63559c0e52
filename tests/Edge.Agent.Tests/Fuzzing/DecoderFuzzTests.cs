using Edge.Tests.Fuzzing;
using Edge.Tests.Shared;

namespace Edge.Agent.Tests.Fuzzing;

/// <summary>
/// The CI run of the fuzz bench (<c>tests/Edge.Benchmarks -- fuzz</c>): 20 000 generated inputs per decoder an outsider
/// reaches, fixed seed. Every input must be accepted or refused with the decoder's documented exception, none may run
/// past the watchdog, and the mutations must reach both verdicts (else the generator tests nothing).
/// </summary>
public sealed class DecoderFuzzTests : IClassFixture<DecoderFuzzTests.Targets>
{
    private const int Inputs = 20_000;
    private const int Seed = 12;
    private readonly Targets _targets;

    public DecoderFuzzTests(Targets targets) => _targets = targets;

    public static TheoryData<string> Decoders => new(
        "measurement-batch", "pat-request", "pat-reply", "model-offer", "inference-request", "model-ack", "status",
        "error", "inference", "inference-reply", "package", "wav", "bridge-frame");

    [Fact]
    public void Every_decoder_an_outsider_reaches_is_fuzzed() =>
        Assert.Equal(Decoders.Select(row => row.Data).Order(), _targets.All.Select(t => t.Name).Order());

    [Theory]
    [Trait("Category", "Security")]
    [MemberData(nameof(Decoders))]
    public void A_decoder_accepts_or_refuses_every_generated_input_without_crashing_or_hanging(string decoder)
    {
        var result = FuzzRunner.Run(_targets.All.Single(t => t.Name == decoder), Inputs, Seed);

        var findings = string.Join("\n", result.Findings.Select(
            f => $"input {f.Index} ({Convert.ToBase64String(f.Input.AsSpan(0, Math.Min(f.Input.Length, 512)))}): "
                + $"{f.Problem}"));
        Assert.True(
            result.Crashes == 0 && result.Hangs == 0 && !result.Abandoned,
            $"{decoder}: {result.Crashes} crashes, {result.Hangs} hangs\n{findings}");

        // A slow input on a busy CI machine is re-run alone; only one slow every time is a hang.
        Assert.Equal(Inputs, result.Inputs);
        Assert.Equal(Inputs, result.Accepted + result.Refused);
        Assert.InRange(result.Accepted, 1, Inputs / 2);
        Assert.True(
            result.RefusalClasses.Count >= 5,
            $"{decoder}: only {result.RefusalClasses.Count} kinds of refusal; the mutations stay shallow");
        SecurityReport.Record(
            $"fuzz-{decoder}",
            $"Fuzz the {decoder} decoder: {Inputs:N0} mutated inputs (CI run; the bench runs 1 000 000)",
            SecurityReport.TestCommand("Edge.Agent.Tests", nameof(
                A_decoder_accepts_or_refuses_every_generated_input_without_crashing_or_hanging)),
            "0 crashes, 0 hangs; every input accepted or refused with the documented exception",
            $"{result.Crashes} crashes, {result.Hangs} hangs; {result.Accepted:N0} accepted, {result.Refused:N0} "
                + $"refused ({result.RefusalClasses.Count} kinds of refusal)",
            result.Crashes == 0 && result.Hangs == 0 && !result.Abandoned);
    }

    [Fact]
    public void An_exception_other_than_the_documented_refusal_is_counted_as_a_crash()
    {
        var target = new FuzzTarget
        {
            Name = "index-bug",
            Seeds = [[1, 2, 3, 4, 5]],
            // Trusts its input to be five bytes long: truncated inputs index past the end.
            Decode = input =>
            {
                if (input.Length == 0 || input[0] != 1)
                {
                    throw new FormatException("the first byte is not 1");
                }

                _ = input[4];
                return null;
            },
            Refusals = [typeof(FormatException)],
        };

        var result = FuzzRunner.Run(target, 2_000, Seed);

        Assert.True(result.Crashes > 0, "an IndexOutOfRangeException must count as a crash");
        Assert.Contains(
            result.CrashClasses.Keys,
                key => key.StartsWith(nameof(IndexOutOfRangeException), StringComparison.Ordinal));
        Assert.NotEmpty(result.Findings);
    }

    [Fact]
    public void An_input_that_is_slow_every_time_is_a_hang_and_one_slow_only_once_is_a_stall()
    {
        var slowCalls = 0;
        FuzzTarget Slow(string name, bool alwaysSlow) => new()
        {
            Name = name,
            Seeds = [[1, 2, 3]],
            Decode = _ =>
            {
                if (alwaysSlow || Interlocked.Increment(ref slowCalls) == 1)
                {
                    var start = System.Diagnostics.Stopwatch.GetTimestamp();
                    while (System.Diagnostics.Stopwatch.GetElapsedTime(start) < TimeSpan.FromMilliseconds(1300))
                    {
                        Thread.SpinWait(1000);
                    }
                }

                return null;
            },
            Refusals = [typeof(FormatException)],
        };

        var hang = FuzzRunner.Run(Slow("always-slow", alwaysSlow: true), 1, Seed);
        Assert.Equal((1, 0), (hang.Hangs, hang.Stalls));
        Assert.StartsWith("hang: still", Assert.Single(hang.Findings).Problem, StringComparison.Ordinal);

        var stall = FuzzRunner.Run(Slow("slow-once", alwaysSlow: false), 1, Seed);
        Assert.Equal((0, 1), (stall.Hangs, stall.Stalls));
    }

    /// <summary>The targets, built once (the package seed is a trained, signed model).</summary>
    public sealed class Targets : IDisposable
    {
        private readonly PackageFuzzAdapter _packages = new();

        public Targets() => All = FuzzTargets.All(_packages);

        internal IReadOnlyList<FuzzTarget> All { get; }

        public void Dispose() => _packages.Dispose();
    }
}
