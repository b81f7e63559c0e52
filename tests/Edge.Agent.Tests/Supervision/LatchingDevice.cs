using Edge.Domain.Devices;
using Edge.Domain.Specs;

namespace Edge.Agent.Tests.Supervision;

/// <summary>
/// A parkable device whose output latches the last drive it played (a DAC with no resting code of its own, as a
/// sample-and-hold stage would be) and whose read-back can be made to fail after the drive is out — so only the
/// supervisor's own parking brings the output back to its safe value. Records the output each call found.
/// </summary>
internal sealed class LatchingDevice(LayerSpec spec) : IPhysicalDevice, IParkableDevice
{
    private readonly Lock _lock = new();
    private readonly List<float> _outputAtCallStart = [];
    private float _output = SafeValue;

    /// <summary>The output <see cref="Park"/> drives.</summary>
    public const float SafeValue = 0f;

    public LayerSpec Spec { get; } = spec;

    public string DeviceId => "latching";

    /// <summary>While true every call fails after its drives are out (the read-back does not answer).</summary>
    public bool ReadBackFails { get; set; }

    /// <summary>The output now.</summary>
    public float Output
    {
        get
        {
            lock (_lock)
            {
                return _output;
            }
        }
    }

    /// <summary>The output each call found when it started, in order.</summary>
    public float[] OutputAtCallStart()
    {
        lock (_lock)
        {
            return [.. _outputAtCallStart];
        }
    }

    public ValueTask ForwardAsync(
        ReadOnlyMemory<float> drives, Memory<float> responses, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            _outputAtCallStart.Add(_output);
            _output = drives.Span[^1];
        }

        if (ReadBackFails)
        {
            throw new IOException("the read-back did not answer");
        }

        // A response that moves, so the supervisor's stuck/saturated check passes it.
        for (var i = 0; i < responses.Length; i++)
        {
            responses.Span[i] = (i + 1) * 0.01f;
        }

        return ValueTask.CompletedTask;
    }

    public void Park()
    {
        lock (_lock)
        {
            _output = SafeValue;
        }
    }
}
