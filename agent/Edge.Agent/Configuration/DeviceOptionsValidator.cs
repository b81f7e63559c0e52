using Edge.Agent.Hosting;
using Edge.Domain.Simulation;
using Edge.Domain.Simulation.Field;
using Microsoft.Extensions.Options;

namespace Edge.Agent.Configuration;

/// <summary>Rejects device options the agent cannot host, naming the configuration key at fault.</summary>
public sealed class DeviceOptionsValidator : IValidateOptions<DeviceOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, DeviceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!IsKnownSystem(options.System))
        {
            failures.Add($"{DeviceOptions.SectionName}:{nameof(DeviceOptions.System)}: unknown physical system "
                + $"'{options.System}'. Known systems: {KnownSystems()}.");
        }

        if (string.IsNullOrWhiteSpace(options.DeviceId))
        {
            failures.Add($"{DeviceOptions.SectionName}:{nameof(DeviceOptions.DeviceId)}: must not be empty; it names "
                + "the part (its serial number, or the simulated part's id).");
        }

        ValidateProfile(options, failures);
        ValidateBackend(options, failures);
        ValidateEnvironment(options, failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateProfile(DeviceOptions options, List<string> failures)
    {
        var key = $"{DeviceOptions.SectionName}:{nameof(DeviceOptions.Profile)}";
        try
        {
            if (DeviceProfiles.Parse(options.Profile) == DeviceProfile.Field
                && !string.Equals(options.Backend, DeviceBackends.Simulated, StringComparison.OrdinalIgnoreCase))
            {
                failures.Add($"{key}: 'field' describes a simulated part; backend '{options.Backend}' is real "
                    + "or emulated hardware, whose effects are its own. Use Backend simulated or Profile lab.");
            }
        }
        catch (ArgumentException e)
        {
            failures.Add($"{key}: {e.Message}");
        }
    }

    private static void ValidateBackend(DeviceOptions options, List<string> failures)
    {
        var key = $"{DeviceOptions.SectionName}:{nameof(DeviceOptions.Backend)}";
        if (!Contains(DeviceBackends.All, options.Backend))
        {
            failures.Add($"{key}: unknown backend '{options.Backend}'. Known backends: {string.Join(", "
                + "", DeviceBackends.All)}.");
            return;
        }

        if (!string.IsNullOrWhiteSpace(options.Direct.FaultFile)
            && !string.Equals(options.Backend, DeviceBackends.Emulated, StringComparison.OrdinalIgnoreCase))
        {
            var faultKey = $"{DeviceOptions.SectionName}:{nameof(DeviceOptions.Direct)}:"
                + $"{nameof(DirectBackendOptions.FaultFile)}";
            failures.Add($"{faultKey}: injects faults into emulated chips; it needs Backend "
                + $"'{DeviceBackends.Emulated}', not '{options.Backend}'.");
        }

        if (string.Equals(options.Backend, DeviceBackends.Simulated, StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        if (string.Equals(options.Backend, DeviceBackends.Bridge, StringComparison.OrdinalIgnoreCase))
        {
            ValidateBridge(options.Bridge, failures);
            return;
        }

        var direct = options.Direct;
        var prefix = $"{DeviceOptions.SectionName}:{nameof(DeviceOptions.Direct)}";
        if (!Contains(DirectBackendFactory.Dacs, direct.Dac))
        {
            failures.Add($"{prefix}:{nameof(direct.Dac)}: unknown DAC '{direct.Dac}'. Known DACs: {string.Join(", "
                + "", DirectBackendFactory.Dacs)}.");
        }
        else
        {
            var channels = direct.Dac.ToLowerInvariant() switch { "mcp4728" => 4, "mcp4922" => 2, _ => 1 };
            Range(failures, $"{prefix}:{nameof(direct.DacChannel)}", direct.DacChannel, 0, channels - 1, direct.Dac);
        }

        if (!Contains(DirectBackendFactory.Adcs, direct.Adc))
        {
            failures.Add($"{prefix}:{nameof(direct.Adc)}: unknown ADC '{direct.Adc}'. Known ADCs: {string.Join(", "
                + "", DirectBackendFactory.Adcs)}.");
        }
        else
        {
            Range(failures, $"{prefix}:{nameof(direct.AdcChannel)}", direct.AdcChannel, 0,
                string.Equals(direct.Adc, "ads1115", StringComparison.OrdinalIgnoreCase) ? 3 : 7, direct.Adc);
        }

        Range(failures, $"{prefix}:{nameof(direct.DacAddress)}", direct.DacAddress, 0x08, 0x77, "a 7-bit I2C device");
        Range(failures, $"{prefix}:{nameof(direct.AdcAddress)}", direct.AdcAddress, 0x08, 0x77, "a 7-bit I2C device");
        Range(failures, $"{prefix}:{nameof(direct.DacSpiClockHz)}", direct.DacSpiClockHz, 1, 20_000_000, "the MCP4922");
        Range(failures, $"{prefix}:{nameof(direct.AdcSpiClockHz)}", direct.AdcSpiClockHz, 1, 3_600_000, "an MCP3x08");
        if (!(direct.DacReferenceVolts is > 0 and <= 5.5) || !(direct.AdcReferenceVolts is > 0 and <= 5.5))
        {
            failures.Add($"{prefix}: DacReferenceVolts and AdcReferenceVolts must be in (0, 5.5] V, were "
                + $"{direct.DacReferenceVolts} and {direct.AdcReferenceVolts}.");
        }

        if (!(direct.InterDriveGapMilliseconds >= 0))
        {
            failures.Add($"{prefix}:{nameof(direct.InterDriveGapMilliseconds)}: must be zero or more, was "
                + $"{direct.InterDriveGapMilliseconds}.");
        }
    }

    private static void ValidateEnvironment(DeviceOptions options, List<string> failures)
    {
        var environment = options.Environment ?? new PartEnvironmentOptions();
        if (environment.Problem() is { } problem)
        {
            failures.Add(problem);
        }
        else if (!Equals(environment.ToEnvironment(), Domain.Simulation.PartEnvironment.Calibrated)
            && !string.Equals(options.Backend, DeviceBackends.Simulated, StringComparison.OrdinalIgnoreCase))
        {
            failures.Add($"{PartEnvironmentOptions.SectionName}: only the '{DeviceBackends.Simulated}' backend takes "
                + $"an environment; the '{options.Backend}' backend drives a real part, whose environment is the "
                + "real one.");
        }
    }

    private static void ValidateBridge(BridgeBackendOptions bridge, List<string> failures)
    {
        var prefix = $"{DeviceOptions.SectionName}:{nameof(DeviceOptions.Bridge)}";
        if (!string.IsNullOrWhiteSpace(bridge.Tcp))
        {
            var colon = bridge.Tcp.LastIndexOf(':');
            if (colon <= 0
                || !int.TryParse(bridge.Tcp.AsSpan(colon + 1), System.Globalization.CultureInfo.InvariantCulture,
                    out var port) || port is < 1 or > 65535)
            {
                failures.Add($"{prefix}:{nameof(bridge.Tcp)}: '{bridge.Tcp}' is not host:port.");
            }
        }
        else if (string.IsNullOrWhiteSpace(bridge.Port))
        {
            failures.Add($"{prefix}: set Port (the serial device) or Tcp (an emulator's host:port).");
        }

        Range(failures, $"{prefix}:{nameof(bridge.BaudRate)}", bridge.BaudRate, 1200, 16_000_000, "a UART");
        Range(failures, $"{prefix}:{nameof(bridge.DriveChannel)}", bridge.DriveChannel, 0, 254, "a bridge channel");
        Range(failures, $"{prefix}:{nameof(bridge.CaptureChannel)}", bridge.CaptureChannel, 0, 254, "a bridge channel");
        Range(failures, $"{prefix}:{nameof(bridge.DrivesPerRequest)}", bridge.DrivesPerRequest, 1, 1024,
            "drives packed per request");
        Range(failures, $"{prefix}:{nameof(bridge.RestSegments)}", bridge.RestSegments, 0, 4096, "rest segments");
        Range(failures, $"{prefix}:{nameof(bridge.MaxPayload)}", bridge.MaxPayload, 64, 4096, "a frame payload");
        var timeout = bridge.RetransmitTimeoutMs;
        Range(failures, $"{prefix}:{nameof(bridge.RetransmitTimeoutMs)}", timeout, 1, 60_000, "a timeout");
        var minimum = bridge.MinRetransmitTimeoutMs;
        Range(failures, $"{prefix}:{nameof(bridge.MinRetransmitTimeoutMs)}", minimum, 1, 60_000, "a timeout");
        Range(
            failures,
            $"{prefix}:{nameof(bridge.MaxRetransmitTimeoutMs)}",
            bridge.MaxRetransmitTimeoutMs,
            bridge.MinRetransmitTimeoutMs,
            60_000,
            "a timeout at least MinRetransmitTimeoutMs");
        Range(failures, $"{prefix}:{nameof(bridge.RetryLimit)}", bridge.RetryLimit, 0, 1000, "retransmissions");
        Range(
            failures,
            $"{prefix}:{nameof(bridge.MaxRetryLimit)}",
            bridge.MaxRetryLimit,
            bridge.RetryLimit,
            1000,
            "retransmissions, at least RetryLimit");
        Range(
            failures,
            $"{prefix}:{nameof(bridge.HeartbeatIntervalMs)}",
            bridge.HeartbeatIntervalMs,
            10,
            900,
            "a heartbeat below the bridge's 1 s watchdog");
        Range(
            failures,
            $"{prefix}:{nameof(bridge.SilenceTimeoutMs)}",
            bridge.SilenceTimeoutMs,
            bridge.HeartbeatIntervalMs + 1,
            600_000,
            "a silence longer than the heartbeat interval");
        Range(
            failures,
            $"{prefix}:{nameof(bridge.StallTimeoutMs)}",
            bridge.StallTimeoutMs,
            bridge.HeartbeatIntervalMs + 1,
            600_000,
            "a stall longer than the heartbeat interval");
        Range(failures, $"{prefix}:{nameof(bridge.ReconnectDelayMs)}", bridge.ReconnectDelayMs, 1, 600_000, "a delay");
        Range(
            failures,
            $"{prefix}:{nameof(bridge.MaxReconnectDelayMs)}",
            bridge.MaxReconnectDelayMs,
            bridge.ReconnectDelayMs,
            600_000,
            "a delay at least ReconnectDelayMs");
    }

    private static void Range(List<string> failures, string key, int value, int min, int max, string what)
    {
        if (value < min || value > max)
        {
            failures.Add($"{key}: {value} is outside {min}–{max} for {what}.");
        }
    }

    private static bool Contains(IReadOnlyList<string> names, string? name)
    {
        foreach (var known in names)
        {
            if (string.Equals(known, name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsKnownSystem(string? system)
    {
        foreach (var known in PhysicalSystems.All)
        {
            if (string.Equals(known.Name, system, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static string KnownSystems()
    {
        var names = new string[PhysicalSystems.All.Count];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = PhysicalSystems.All[i].Name;
        }

        return string.Join(", ", names);
    }
}
