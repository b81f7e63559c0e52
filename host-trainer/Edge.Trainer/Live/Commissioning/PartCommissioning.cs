using Edge.Trainer.Live.Updates;
using Microsoft.Extensions.Logging;

namespace Edge.Trainer.Live.Commissioning;

/// <summary>
/// Commissions one new part: the product-line model (a signed package trained on another part of the same line)
/// meets the agent hosting the part, and the field session path does the rest over MQTT — a twin of this part fitted
/// from fresh drives through the agent, a short PAT fine-tune through its device, a package signed for this device
/// alone and offered; the agent validates it on its calibration set and activates it only if it is no worse. Every
/// attempt is recorded in the <see cref="CommissioningLedger"/>: a success is final, a refusal or failure is retried
/// only after <see cref="CommissioningSettings.RetryAfter"/>, doubled at each further attempt.
/// </summary>
public sealed partial class PartCommissioning
{
    private readonly FieldPatSession _session;
    private readonly FieldPackageLoader _loader;
    private readonly FieldVersionBook _book;
    private readonly CommissioningSettings _settings;
    private readonly ILogger _logger;
    private readonly TimeProvider _clock;

    /// <summary>Commissions with <paramref name="session"/> (its settings say how hard it trains).</summary>
    /// <param name="session">Runs the fine-tune and the offer.</param>
    /// <param name="loader">Reads the product-line package (must be signed by a trusted key).</param>
    /// <param name="store">Holds the commissioning ledger and the version ledger.</param>
    /// <param name="settings">The product-line package and the retry policy.</param>
    /// <param name="logger">Receives each attempt.</param>
    /// <param name="clock">The time; the system clock unless given.</param>
    public PartCommissioning(
        FieldPatSession session,
        FieldPackageLoader loader,
        MeasurementStore store,
        CommissioningSettings settings,
        ILogger logger,
        TimeProvider? clock = null)
    {
        _session = session ?? throw new ArgumentNullException(nameof(session));
        _loader = loader ?? throw new ArgumentNullException(nameof(loader));
        _settings = (settings ?? throw new ArgumentNullException(nameof(settings))).Validate();
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _clock = clock ?? TimeProvider.System;
        Ledger = new CommissioningLedger(store);
        _book = new FieldVersionBook(new FieldUpdateLedger(store), session.PackageDirectory, _clock);
    }

    /// <summary>Which agents were commissioned, and when the others may be tried again.</summary>
    public CommissioningLedger Ledger { get; }

    /// <summary>The field session of the last attempt that came as far as an offer (null before one did).</summary>
    public FieldUpdateOutcome? LastOutcome { get; private set; }

    /// <summary>Receives (stage, fraction) of a running commissioning.</summary>
    public Action<string, double>? Progress { get; set; }

    /// <summary>
    /// Commissions <paramref name="deviceId"/>, whose agent runs <paramref name="activeVersion"/> (if any: the offer
    /// must be newer), and records the attempt. Failures are recorded, not thrown; cancellation is thrown.
    /// </summary>
    public async Task<CommissioningRecord> CommissionAsync(
        string deviceId, int? activeVersion, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(deviceId);
        var started = _clock.GetTimestamp();
        LogStarting(deviceId, _settings.ProductLinePackage);
        CommissioningAttempt attempt;
        try
        {
            var device = _loader.Load(deviceId, _settings.ProductLinePackage);
            if (activeVersion is { } active && active > device.Version)
            {
                device.AdoptVersion(active);
            }

            var outcome = await _session.RunAsync(
                device, UpdateReason.Commissioning, null, _book, Progress, cancellationToken).ConfigureAwait(false);
            LastOutcome = outcome;
            var seconds = _clock.GetElapsedTime(started).TotalSeconds;
            var state = outcome.Accepted ? CommissioningState.Commissioned : CommissioningState.Refused;
            attempt = new CommissioningAttempt(
                state, _clock.GetUtcNow(), null, outcome.Version, outcome.Verdict, outcome.AccuracyBefore,
                outcome.AccuracyAfter, seconds);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // An agent that left, a broker hiccup, a package not made for this part: recorded, retried later.
            var seconds = _clock.GetElapsedTime(started).TotalSeconds;
            attempt = new CommissioningAttempt(
                CommissioningState.Failed, _clock.GetUtcNow(), null, null, e.Message, null, null, seconds);
        }

        var previous = await Ledger.FindAsync(deviceId, CancellationToken.None).ConfigureAwait(false);
        if (attempt.State != CommissioningState.Commissioned)
        {
            attempt = attempt with { NextAttempt = attempt.At + _settings.RetryDelay((previous?.Attempts ?? 0) + 1) };
        }

        var record = await Ledger.RecordAsync(deviceId, attempt, CancellationToken.None).ConfigureAwait(false);
        Log(record);
        return record;
    }

    private void Log(CommissioningRecord record)
    {
        var (before, after) = (record.AccuracyBefore ?? double.NaN, record.AccuracyAfter ?? double.NaN);
        if (record.State == CommissioningState.Commissioned)
        {
            LogCommissioned(record.DeviceId, record.Version ?? 0, before, after, record.Seconds ?? double.NaN);
        }
        else
        {
            var state = CommissioningLedger.Name(record.State);
            LogNotCommissioned(record.DeviceId, state, record.Detail ?? "", record.Attempts, record.NextAttempt);
        }
    }

    [LoggerMessage(
        Level = LogLevel.Information,
        Message = "Commissioning {Device} from the product-line package {Package}")]
    private partial void LogStarting(string device, string package);

    [LoggerMessage(
        Level = LogLevel.Information,
        Message = "Commissioned {Device}: v{Version} accepted; accuracy on this part {Before:P1} -> {After:P1} "
            + "in {Seconds:F1} s")]
    private partial void LogCommissioned(string device, int version, double before, double after, double seconds);

    [LoggerMessage(
        Level = LogLevel.Warning,
        Message = "Commissioning of {Device} {State} ({Detail}); attempt {Attempts}, next not before {Next:O}")]
    private partial void LogNotCommissioned(
        string device, string state, string detail, int attempts, DateTimeOffset? next);
}

/// <summary>What commissioning starts from and how it retries.</summary>
public sealed record CommissioningSettings
{
    /// <summary>The product-line package (signed, with a twin) every new part starts from.</summary>
    public required string ProductLinePackage { get; init; }

    /// <summary>Wait after the first refused or failed attempt; doubled at each further one.</summary>
    public TimeSpan RetryAfter { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Longest wait between attempts.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromHours(6);

    /// <summary>The wait after the <paramref name="attempts"/>-th unsuccessful attempt.</summary>
    public TimeSpan RetryDelay(int attempts)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempts, 1);
        var doublings = Math.Min(attempts - 1, 30);
        var delay = RetryAfter.TotalSeconds * Math.Pow(2, doublings);
        return TimeSpan.FromSeconds(Math.Min(delay, MaxRetryAfter.TotalSeconds));
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting out of range.</summary>
    public CommissioningSettings Validate()
    {
        if (string.IsNullOrWhiteSpace(ProductLinePackage))
        {
            throw new ArgumentException("Commissioning: the product-line package is not named.");
        }

        if (RetryAfter <= TimeSpan.Zero || MaxRetryAfter < RetryAfter)
        {
            throw new ArgumentException(
                $"Commissioning: need 0 < {nameof(RetryAfter)} ({RetryAfter}) <= {nameof(MaxRetryAfter)} "
                + $"({MaxRetryAfter}).");
        }

        return this;
    }
}
