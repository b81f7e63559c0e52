using Edge.Domain.Devices;
using Edge.Domain.Specs;
using Edge.Domain.Timing;
using Microsoft.Extensions.Logging;

namespace Edge.Agent.Supervision;

/// <summary>
/// Stands between the agent and its device and parks the device when it fails: a call that throws (NACK, I/O error,
/// timeout) parks it at once, <see cref="SupervisionOptions.SuspectCallsToTrip"/> calls in a row whose every drive came
/// back stuck or saturated (<see cref="ResponseCheck"/>) park it on the last of them. Parking drives the outputs to
/// their safe values (<see cref="IParkableDevice"/>), makes every later call fail fast with
/// <see cref="DeviceParkedException"/> (inference then runs the model's digital twin), and starts probing: one probe
/// drive, after a wait that doubles from <see cref="SupervisionOptions.FirstProbeMilliseconds"/> up to
/// <see cref="SupervisionOptions.MaxProbeMilliseconds"/>; the first probe that comes back clean puts the device back
/// in service. Calls are expected one at a time (the agent's <c>DeviceGate</c> serialises them).
/// </summary>
public sealed partial class DeviceSupervisor : IPhysicalDevice, IAsyncDisposable
{
    private readonly IPhysicalDevice _inner;
    private readonly SupervisionOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private readonly float[] _probeDrive;
    private readonly float[] _probeResponse;
    private DeviceTrip? _trip;
    private int _suspectCalls;
    private long _callStarted;
    private Task _probing = Task.CompletedTask;

    /// <summary>Supervises <paramref name="inner"/>.</summary>
    public DeviceSupervisor(
        IPhysicalDevice inner, SupervisionOptions options, TimeProvider time, ILogger<DeviceSupervisor> logger)
    {
        _inner = inner ?? throw new ArgumentNullException(nameof(inner));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _probeDrive = ProbeDrive(inner.Spec);
        _probeResponse = new float[inner.Spec.OutputSize];
    }

    /// <summary>
    /// Raised (on the thread that detected it) when the device is parked and when it is back in service.
    /// </summary>
    public event Action<DeviceStateChange>? StateChanged;

    /// <inheritdoc />
    public LayerSpec Spec => _inner.Spec;

    /// <inheritdoc />
    public string DeviceId => _inner.DeviceId;

    /// <summary>The supervised device.</summary>
    public IPhysicalDevice Inner => _inner;

    /// <summary>The parking in force, or null while the device is in service.</summary>
    public DeviceTrip? Trip => Volatile.Read(ref _trip);

    /// <summary>True while the device is parked.</summary>
    public bool IsParked => Trip is not null;

    /// <summary>
    /// True when <paramref name="device"/> is a supervisor, or a gate in front of one, that has parked its device.
    /// </summary>
    public static bool IsParkedBehind(IPhysicalDevice device) => device switch
    {
        DeviceSupervisor supervisor => supervisor.IsParked,
        Messaging.DeviceGate gate => IsParkedBehind(gate.Inner),
        _ => false,
    };

    /// <summary>Times the device was parked since start.</summary>
    public int Trips { get; private set; }

    /// <summary>
    /// How long the device call in progress (a drive or a probe) has been running, or zero when none is: a call that
    /// never returns is a hung bus or device loop.
    /// </summary>
    public TimeSpan CallRunningFor
    {
        get
        {
            var started = Interlocked.Read(ref _callStarted);
            return started == 0 ? TimeSpan.Zero : _time.GetElapsedTime(started);
        }
    }

    /// <summary>
    /// True unless a device call has been running longer than <see cref="SupervisionOptions.HangSeconds"/>.
    /// </summary>
    public bool IsLoopAlive => CallRunningFor <= TimeSpan.FromSeconds(_options.HangSeconds);

    /// <summary>
    /// The systemd watchdog's liveness check: null while the device loop is alive, else the hang it is in. A device
    /// parked after a fault is not a hang — the service still answers, from the twin.
    /// </summary>
    public string? Hang()
        => IsLoopAlive ? null
            : $"device {DeviceId} has been in one call for {CallRunningFor.TotalSeconds:F1} s (hung bus or device "
                + "loop)";

    /// <summary>
    /// Plays the drives on the device and judges the call; throws <see cref="DeviceParkedException"/> while the device
    /// is parked and on the call that parks it.
    /// </summary>
    public async ValueTask ForwardAsync(
        ReadOnlyMemory<float> drives, Memory<float> responses, CancellationToken cancellationToken = default)
    {
        if (!_options.Enabled)
        {
            await _inner.ForwardAsync(drives, responses, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (Trip is { } parked)
        {
            throw new DeviceParkedException(DeviceId, parked);
        }

        try
        {
            await CallAsync(drives, responses, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsDeviceFailure(e, cancellationToken))
        {
            var fault = e is TimeoutException or OperationCanceledException
                ? DeviceFault.Timeout
                : DeviceFault.DeviceError;
            var trip = Park(fault, e.Message);
            throw new DeviceParkedException(DeviceId, trip, e);
        }

        var used = DeviceBatch.Count(Spec, drives.Length, responses.Length) * Spec.OutputSize;
        var suspect = ResponseCheck.Inspect(Spec, responses.Span[..used]);
        if (suspect == DeviceFault.None)
        {
            _suspectCalls = 0;
            return;
        }

        if (++_suspectCalls >= _options.SuspectCallsToTrip)
        {
            var trip = Park(suspect, $"{_suspectCalls} device calls in a row came back {Describe(suspect)}");
            throw new DeviceParkedException(DeviceId, trip);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _probing.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped mid-wait.
        }

        _stop.Dispose();
    }

    private static bool IsDeviceFailure(Exception e, CancellationToken cancellationToken) => e switch
    {
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        IOException or TimeoutException or ObjectDisposedException or InvalidOperationException => true,
        UnauthorizedAccessException => true,
        _ => false,
    };

    private static string Describe(DeviceFault fault) => fault == DeviceFault.AdcSaturated
        ? "with every sample at an ADC rail"
        : "with every sample the same ADC code";

    /// <summary>
    /// A ramp across every segment's allowed range: a working layer answers it with a response that moves.
    /// </summary>
    private static float[] ProbeDrive(LayerSpec spec)
    {
        var drive = new float[spec.DriveLength];
        for (var s = 0; s < drive.Length; s++)
        {
            var range = spec.SegmentRange(s);
            var t = (s + 0.5) / drive.Length;
            drive[s] = (float)(range.Lo + ((range.Hi - range.Lo) * t));
        }

        return drive;
    }

    private async ValueTask CallAsync(
        ReadOnlyMemory<float> drives, Memory<float> responses, CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref _callStarted, _time.GetTimestamp());
        try
        {
            await _inner.ForwardAsync(drives, responses, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Exchange(ref _callStarted, 0);
        }
    }

    private DeviceTrip Park(DeviceFault fault, string detail)
    {
        DeviceTrip trip;
        lock (_lock)
        {
            if (_trip is { } already)
            {
                return already;
            }

            trip = new DeviceTrip(fault, detail, _time.GetTimestamp());
            Volatile.Write(ref _trip, trip);
            Trips++;
        }

        _suspectCalls = 0;
        DriveSafe();
        LogParked(_logger, DeviceId, fault.Name(), detail);
        StateChanged?.Invoke(new DeviceStateChange(DeviceId, trip, Recovered: false, TimeSpan.Zero));
        _probing = ProbeUntilRecoveredAsync(trip);
        return trip;
    }

    private void DriveSafe(bool quiet = false)
    {
        if (_inner is not IParkableDevice parkable)
        {
            return;
        }

        try
        {
            parkable.Park();
            if (!quiet)
            {
                LogOutputsSafe(_logger, DeviceId);
            }
        }
        catch (Exception e) when (e is IOException or TimeoutException or InvalidOperationException)
        {
            // A DAC that does not acknowledge cannot be parked; the bridge firmware's own watchdog parks on silence.
            LogParkFailed(_logger, DeviceId, e.Message);
        }
    }

    private async Task ProbeUntilRecoveredAsync(DeviceTrip trip)
    {
        var waits = new ExponentialBackoff(
            TimeSpan.FromMilliseconds(_options.FirstProbeMilliseconds),
            TimeSpan.FromMilliseconds(_options.MaxProbeMilliseconds));
        while (true)
        {
            var wait = waits.Next();
            await Task.Delay(wait, _time, _stop.Token).ConfigureAwait(false);
            var problem = await ProbeAsync().ConfigureAwait(false);
            if (problem is null)
            {
                break;
            }

            // The probe drive left the outputs where it played them: back to the safe values until the next one.
            DriveSafe(quiet: true);
            LogProbeFailed(_logger, DeviceId, problem, wait.TotalMilliseconds);
        }

        var downtime = _time.GetElapsedTime(trip.At);
        _suspectCalls = 0;
        Volatile.Write(ref _trip, null);
        LogRecovered(_logger, DeviceId, downtime.TotalSeconds);
        StateChanged?.Invoke(new DeviceStateChange(DeviceId, trip, Recovered: true, downtime));
    }

    /// <summary>Plays the probe drive; null when the device answered it cleanly, else what went wrong.</summary>
    private async Task<string?> ProbeAsync()
    {
        try
        {
            await CallAsync(_probeDrive, _probeResponse, _stop.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (IsDeviceFailure(e, _stop.Token))
        {
            return e.Message;
        }

        var fault = ResponseCheck.Inspect(Spec, _probeResponse);
        return fault == DeviceFault.None ? null : $"the probe drive came back {Describe(fault)}";
    }

    [LoggerMessage(
        Level = LogLevel.Error,
        Message = "Device {DeviceId} parked ({Fault}): {Detail}; inference falls back to the model's digital twin")]
    private static partial void LogParked(ILogger logger, string deviceId, string fault, string detail);

    [LoggerMessage(Level = LogLevel.Information, Message = "Device {DeviceId}: outputs driven to their safe values")]
    private static partial void LogOutputsSafe(ILogger logger, string deviceId);

    [LoggerMessage(
        Level = LogLevel.Warning,
        Message = "Device {DeviceId}: outputs could not be driven to their safe values: {Problem}")]
    private static partial void LogParkFailed(ILogger logger, string deviceId, string problem);

    [LoggerMessage(
        Level = LogLevel.Information,
        Message = "Device {DeviceId} still parked: probe failed ({Problem}) after {WaitMs:F0} ms")]
    private static partial void LogProbeFailed(ILogger logger, string deviceId, string problem, double waitMs);

    [LoggerMessage(
        Level = LogLevel.Warning,
        Message = "Device {DeviceId} back in service after {DowntimeSeconds:F1} s parked: the probe passed")]
    private static partial void LogRecovered(ILogger logger, string deviceId, double downtimeSeconds);
}
