using Edge.Domain.Simulation.Field;

namespace Edge.Trainer.Reporting.Report;

/// <summary>The machine a result was measured on.</summary>
/// <param name="Cpu">CPU model name.</param>
/// <param name="Cores">Logical cores.</param>
/// <param name="Os">Operating system.</param>
/// <param name="DotNet">.NET runtime.</param>
public sealed record MachineInfo(string Cpu, int Cores, string Os, string DotNet);

/// <summary>How, where and when a result was measured (the <c>run</c> block of a bench JSON).</summary>
/// <param name="Command">The command line a person types to repeat the run.</param>
/// <param name="TimestampUtc">When the run started, ISO 8601 UTC, if recorded.</param>
/// <param name="Profile">Bench profile (quick, full) if recorded.</param>
/// <param name="Machine">The machine, if recorded.</param>
/// <param name="LoadAverage">1/5/15-minute load average when the run started, if recorded.</param>
/// <param name="Source">Where the figures come from when they were not written by the bench itself (e.g. recovered from
/// a hand-written report).</param>
public sealed record RunInfo(string? Command, string? TimestampUtc, string? Profile, MachineInfo?
    Machine, IReadOnlyList<double>? LoadAverage, string? Source);

/// <summary>Accuracy of one training mode: mean over seeds and each seed.</summary>
/// <param name="Mode">Mode name (insilico, pat, ideal, pat-refine, digital).</param>
/// <param name="Mean">Mean device test accuracy.</param>
/// <param name="PerSeed">Device test accuracy per seed.</param>
public sealed record ModeAccuracy(string Mode, double Mean, IReadOnlyList<double> PerSeed);

/// <summary>One training run of the details file.</summary>
/// <param name="Mode">Mode name.</param>
/// <param name="Seed">Seed.</param>
/// <param name="TestAccuracy">Device test accuracy.</param>
/// <param name="TwinPredicted">Test accuracy the twin predicted, if recorded.</param>
/// <param name="DeviceDrives">Drives played on the device, if recorded.</param>
/// <param name="WallSeconds">Training wall time, if recorded.</param>
/// <param name="TrainingDrives">Drives played for training only, if recorded.</param>
/// <param name="DrivesToFinal">Training drives until the curve came within a point of the final accuracy.</param>
/// <param name="TwinPasses">Examples run through the twin while training, if recorded.</param>
public sealed record RunDetail(
    string Mode,
    int Seed,
    double TestAccuracy,
    double? TwinPredicted,
    long? DeviceDrives,
    double? WallSeconds,
    long? TrainingDrives = null,
    long? DrivesToFinal = null,
    long? TwinPasses = null);

/// <summary>The <c>.details.json</c> beside an accuracy result.</summary>
/// <param name="Twin">Twin description.</param>
/// <param name="TwinDataDrives">Drives played to collect twin data.</param>
/// <param name="TwinFitSeconds">Twin fit wall time.</param>
/// <param name="Threads">Worker threads.</param>
/// <param name="Runs">Per mode and seed.</param>
public sealed record AccuracyDetails(string? Twin, long? TwinDataDrives, double? TwinFitSeconds, int?
    Threads, IReadOnlyList<RunDetail> Runs);

/// <summary>A <c>bench pat</c> result.</summary>
/// <param name="File">Path relative to the data folder.</param>
/// <param name="Task">Task name.</param>
/// <param name="System">Physical system.</param>
/// <param name="Network">The network in a few words (architecture, width, layers, scans, front end).</param>
/// <param name="Seeds">Seeds run.</param>
/// <param name="Epochs">Training epochs.</param>
/// <param name="Modes">Accuracy per mode, in run order.</param>
/// <param name="TwinPredictedInSilico">Twin-predicted accuracy of the in-silico model.</param>
/// <param name="TwinValidationNmse">Twin validation NMSE.</param>
/// <param name="NoiseFloorNmse">Noise floor NMSE.</param>
/// <param name="DevicePasses">All drives played.</param>
/// <param name="WallSeconds">Whole run wall time.</param>
/// <param name="Details">The details file.</param>
/// <param name="Run">How it was measured.</param>
public sealed record AccuracyResult(
    string File,
    string Task,
    string System,
    string Network,
    int Seeds,
    int Epochs,
    IReadOnlyList<ModeAccuracy> Modes,
    double? TwinPredictedInSilico,
    double? TwinValidationNmse,
    double? NoiseFloorNmse,
    long? DevicePasses,
    double? WallSeconds,
    AccuracyDetails Details,
    RunInfo? Run)
{
    /// <summary>The simulated part's profile (lab or field); results from before profiles existed are lab.</summary>
    public DeviceProfile Profile { get; init; }

    /// <summary>The device column of the tables: the system, and the profile when it is not lab.</summary>
    public string Device => Profile == DeviceProfile.Lab ? System : $"{System} ({Profile.Name()})";

    /// <summary>The mode's accuracy, or null if it was not run.</summary>
    public ModeAccuracy? Mode(string name)
    {
        foreach (var mode in Modes)
        {
            if (mode.Mode == name)
            {
                return mode;
            }
        }

        return null;
    }
}

/// <summary>An <c>inference-latency</c> result.</summary>
/// <param name="File">Path relative to the data folder.</param>
/// <param name="Inferences">Inferences timed.</param>
/// <param name="P50Microseconds">Median latency.</param>
/// <param name="P99Microseconds">99th percentile.</param>
/// <param name="P999Microseconds">99.9th percentile.</param>
/// <param name="MaxMicroseconds">Maximum.</param>
/// <param name="AllocatedBytesPerInference">Managed bytes allocated per inference in steady state.</param>
/// <param name="Memory">Memory figures the file also carries (keys containing <c>rss</c>), in file order.</param>
/// <param name="Run">How it was measured.</param>
public sealed record LatencyResult(
    string File, long Inferences, double P50Microseconds, double P99Microseconds, double P999Microseconds,
        double MaxMicroseconds,
    double AllocatedBytesPerInference, IReadOnlyList<KeyValuePair<string, double>> Memory, RunInfo? Run);

/// <summary>An <c>ingest</c> result.</summary>
/// <param name="File">Path relative to the data folder.</param>
/// <param name="Measurements">Measurements produced.</param>
/// <param name="BatchSize">Measurements per MQTT message.</param>
/// <param name="RecordBytes">Bytes per measurement.</param>
/// <param name="EdgeRate">Measurements per second through the Edge path.</param>
/// <param name="EdgeSeconds">Edge path wall time.</param>
/// <param name="Lost">Produced minus stored.</param>
/// <param name="Duplicates">Redelivered ids dropped.</param>
/// <param name="RawRate">mosquitto_pub → mosquitto_sub messages per second.</param>
/// <param name="RawSeconds">Raw path wall time.</param>
/// <param name="RawMessages">Raw messages sent.</param>
/// <param name="RawReceived">Raw messages received.</param>
/// <param name="Run">How it was measured.</param>
public sealed record IngestResult(
    string File, long Measurements, long BatchSize, long RecordBytes, double EdgeRate, double EdgeSeconds, long Lost,
        long Duplicates,
    double RawRate, double RawSeconds, long RawMessages, long RawReceived, RunInfo? Run);

/// <summary>One configuration of the bridge link bench.</summary>
/// <param name="Baud">Line rate.</param>
/// <param name="DrivesPerRequest">Drives packed per request.</param>
/// <param name="RestSegments">Rest segments between packed drives.</param>
/// <param name="WaveformEfficiency">Waveform payload ÷ bytes on the line.</param>
/// <param name="DriveEfficiency">Drive data ÷ bytes on the line.</param>
/// <param name="ForwardsPerSecond">Drives forwarded per second.</param>
/// <param name="Retransmissions">Frames retransmitted.</param>
/// <param name="LossRate">Fraction of the bytes lost in each direction (0 in runs that did not record it).</param>
/// <param name="MaxPayload">Payload limit of the requests, when recorded: the one the link tuned itself to from the
/// measured loss (older runs: the negotiated limit).</param>
/// <param name="MaxErrorLsb">Largest difference to the noise-free part in ADC LSB, when checked; null if the
/// run failed.</param>
/// <param name="Failure">Why the run did not complete, or null.</param>
/// <param name="RetryLimit">Retry limit the link tuned itself to, when recorded.</param>
public sealed record BridgeRow(
    long Baud,
    long DrivesPerRequest,
    long RestSegments,
    double WaveformEfficiency,
    double DriveEfficiency,
    double ForwardsPerSecond,
    long Retransmissions,
    double LossRate = 0,
    long? MaxPayload = null,
    double? MaxErrorLsb = null,
    string? Failure = null,
    long? RetryLimit = null);

/// <summary>A <c>bridge</c> result.</summary>
/// <param name="File">Path relative to the data folder.</param>
/// <param name="Drives">Drives per configuration.</param>
/// <param name="Rows">One per configuration.</param>
/// <param name="Run">How it was measured.</param>
public sealed record BridgeResult(string File, long Drives, IReadOnlyList<BridgeRow> Rows, RunInfo? Run);

/// <summary>One decoder of a <c>fuzz</c> result.</summary>
/// <param name="Decoder">Decoder name.</param>
/// <param name="Inputs">Inputs run.</param>
/// <param name="Accepted">Inputs accepted.</param>
/// <param name="Refused">Inputs refused with the documented exception.</param>
/// <param name="RefusalClasses">Distinct refusal message classes.</param>
/// <param name="Crashes">Inputs that raised any other exception.</param>
/// <param name="Hangs">Inputs slow every time they ran.</param>
/// <param name="Stalls">Inputs slow once only (a busy machine), absent in older files.</param>
/// <param name="SlowestMs">Slowest input, milliseconds.</param>
/// <param name="Seconds">Wall time of the decoder's run.</param>
public sealed record FuzzRow(string Decoder, long Inputs, long Accepted, long Refused, long RefusalClasses,
    long Crashes, long Hangs, long Stalls, double SlowestMs, double Seconds);

/// <summary>A <c>fuzz</c> result: one file per run, one row per decoder fuzzed.</summary>
/// <param name="File">Path relative to the data folder.</param>
/// <param name="Generator">How inputs were generated.</param>
/// <param name="Rows">One per decoder.</param>
/// <param name="Run">How it was measured.</param>
public sealed record FuzzBenchResult(string File, string Generator, IReadOnlyList<FuzzRow> Rows, RunInfo? Run);

/// <summary>One resident-memory figure of the agent.</summary>
/// <param name="What">What was measured (an agent command, or a statistic such as peak RSS or USS).</param>
/// <param name="Megabytes">Decimal megabytes.</param>
public sealed record RssRow(string What, double Megabytes);

/// <summary>
/// An agent memory result: <c>"bench": "agent-rss"</c> with rows of command and <c>peak_rss_bytes</c>, or the
/// <c>agent-rss</c> bench's figures (keys ending in <c>_mb</c>, with <c>rss_peak_mb</c>).
/// </summary>
/// <param name="File">Path relative to the data folder.</param>
/// <param name="Rows">The figures, in file order.</param>
/// <param name="Workload">What the agent was doing while measured, if the file says.</param>
/// <param name="Run">How it was measured.</param>
public sealed record RssResult(string File, IReadOnlyList<RssRow> Rows, string? Workload, RunInfo? Run);

/// <summary>One BenchmarkDotNet benchmark.</summary>
/// <param name="Type">Benchmark class.</param>
/// <param name="Method">Benchmark method.</param>
/// <param name="Parameters">Parameter values, if any.</param>
/// <param name="MeanNanoseconds">Mean time per operation, null if the benchmark failed.</param>
/// <param name="AllocatedBytes">Bytes allocated per operation, null without the memory diagnoser.</param>
public sealed record BenchmarkRow(string Type, string Method, string Parameters, double? MeanNanoseconds,
    long? AllocatedBytes);

/// <summary>A BenchmarkDotNet JSON export (full).</summary>
/// <param name="File">Path relative to the data folder.</param>
/// <param name="Title">The summary title (class and start time).</param>
/// <param name="Rows">Benchmarks.</param>
/// <param name="Run">How it was measured (machine and time from BenchmarkDotNet when not stamped).</param>
public sealed record BenchmarkDotNetResult(string File, string Title, IReadOnlyList<BenchmarkRow> Rows, RunInfo Run);

/// <summary>A JSON file of a shape the report does not know: shown as its top-level scalar values so nothing is
/// dropped.</summary>
/// <param name="File">Path relative to the data folder.</param>
/// <param name="Values">Top-level scalar values, in file order.</param>
/// <param name="Run">How it was measured, if stamped.</param>
public sealed record OtherResult(string File, IReadOnlyList<KeyValuePair<string, string>> Values, RunInfo? Run);

/// <summary>Everything read from a bench data folder, each list in file-path order.</summary>
public sealed class BenchData
{
    /// <summary><c>bench pat</c> results (leave-one-speaker-out folds included).</summary>
    public List<AccuracyResult> Accuracy { get; } = [];

    /// <summary>Inference latency results.</summary>
    public List<LatencyResult> Latency { get; } = [];

    /// <summary>Ingest results.</summary>
    public List<IngestResult> Ingest { get; } = [];

    /// <summary>Bridge link results.</summary>
    public List<BridgeResult> Bridge { get; } = [];

    /// <summary>Drift detection results.</summary>
    public List<DriftResult> Drift { get; } = [];

    /// <summary>Live-accuracy detection results (<c>bench drift --score live</c>).</summary>
    public List<LiveDriftResult> LiveDrift { get; } = [];

    /// <summary>Hostile-input fuzzing results.</summary>
    public List<FuzzBenchResult> Fuzz { get; } = [];

    /// <summary>Agent RSS results.</summary>
    public List<RssResult> Rss { get; } = [];

    /// <summary>BenchmarkDotNet exports.</summary>
    public List<BenchmarkDotNetResult> BenchmarkDotNet { get; } = [];

    /// <summary><c>loso-agent</c> results: leave-one-speaker-out folds classified by real agents.</summary>
    public List<AgentParityResult> AgentParity { get; } = [];

    /// <summary><c>field-update</c> results: the operator's field update timed end to end.</summary>
    public List<FieldUpdateResult> FieldUpdate { get; } = [];

    /// <summary>Fault bench runs that add up across invocations (files under <c>faults-runs/</c>).</summary>
    public List<FaultRunFile> FaultRuns { get; } = [];

    /// <summary>Files of unknown shape.</summary>
    public List<OtherResult> Other { get; } = [];

    /// <summary>Every run block, for the machine table and the profile banner.</summary>
    public IEnumerable<RunInfo> Runs()
    {
        foreach (var run in Accuracy.Select(r => r.Run).Concat(Latency.Select(r => r.Run))
            .Concat(Ingest.Select(r => r.Run))
            .Concat(Bridge.Select(r => r.Run))
            .Concat(Drift.Select(r => r.Run))
            .Concat(LiveDrift.Select(r => r.Run))
            .Concat(FieldUpdate.Select(r => r.Run))
            .Concat(FaultRuns.Select(r => r.Run))
            .Concat(AgentParity.Select(r => r.Run))
            .Concat(Fuzz.Select(r => r.Run))
            .Concat(Rss.Select(r => r.Run))
            .Concat(BenchmarkDotNet.Select(r => (RunInfo?)r.Run))
            .Concat(Other.Select(r => r.Run)))
        {
            if (run is not null)
            {
                yield return run;
            }
        }
    }
}
