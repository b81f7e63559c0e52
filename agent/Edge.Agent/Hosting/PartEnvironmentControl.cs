using Edge.Domain.Devices;
using Edge.Domain.Simulation;
using Microsoft.Extensions.Logging;

namespace Edge.Agent.Hosting;

/// <summary>
/// Sets the environment of the hosted simulated part at run time, from the configuration (on reload) or from an
/// authorised MQTT control message; the latest change wins. A real part refuses: its environment is the real one.
/// </summary>
public sealed partial class PartEnvironmentControl(IPhysicalDevice device, ILogger<PartEnvironmentControl> logger)
{
    /// <summary>True when the hosted part is simulated and takes environment changes.</summary>
    public bool IsAvailable => device is SimulatedDevice;

    /// <summary>The part's environment now; calibrated for a real part.</summary>
    public PartEnvironment Current => (device as SimulatedDevice)?.Environment ?? PartEnvironment.Calibrated;

    /// <summary>
    /// Applies <paramref name="environment"/> and logs it with <paramref name="source"/>; answers the problem in plain
    /// words (a real part, a value out of range) instead of throwing, and then the part keeps its environment.
    /// </summary>
    public string? TryApply(PartEnvironment environment, string source)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (device is not SimulatedDevice part)
        {
            var refusal = $"device {device.DeviceId} is not simulated: a real part's environment cannot be set.";
            LogRefused(logger, device.DeviceId, source, refusal);
            return refusal;
        }

        try
        {
            var before = part.Environment;
            part.Environment = environment;
            LogApplied(logger, device.DeviceId, environment.ToString(), before.ToString(), source);
            return null;
        }
        catch (ArgumentOutOfRangeException e)
        {
            var problem = e.Message.Split(" (Parameter", 2)[0];
            LogRefused(logger, device.DeviceId, source, problem);
            return problem;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Environment of part {DeviceId} now {Environment} (was {Previous}), set by {Source}")]
    private static partial void LogApplied(
        ILogger logger, string deviceId, string environment, string previous, string source);

    [LoggerMessage(Level = LogLevel.Error,
        Message = "Environment change for part {DeviceId} from {Source} refused, the part keeps its environment: "
            + "{Problem}")]
    private static partial void LogRefused(ILogger logger, string deviceId, string source, string problem);
}
