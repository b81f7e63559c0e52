using Edge.Agent.Messaging;
using Edge.Domain.Messaging;
using Microsoft.Extensions.Hosting;

namespace Edge.Agent.Supervision;

/// <summary>
/// Makes the supervisor's decisions visible over MQTT: an alert on the <c>errors</c> topic when the device is parked
/// and when it is back (<see cref="ErrorMessage.Alert"/>), and the <c>edge_agent_device_state</c> and
/// <c>edge_agent_device_trips_total</c> metrics. (The retained status follows through <see cref="MqttAgentService"/>.)
/// </summary>
public sealed class DeviceFaultReporter : IHostedService
{
    /// <summary>The alert raised when the device is parked.</summary>
    public const string FaultAlert = "device-fault";

    /// <summary>The alert raised when the device is back in service.</summary>
    public const string RecoveredAlert = "device-recovered";

    private readonly DeviceSupervisor _supervisor;
    private readonly SqliteOutbox _outbox;
    private readonly AgentMetrics _metrics;
    private readonly string _errorsTopic;
    private readonly string _statusTopic;

    /// <summary>
    /// Reports <paramref name="supervisor"/>'s changes through <paramref name="outbox"/> and
    /// <paramref name="metrics"/>.
    /// </summary>
    public DeviceFaultReporter(DeviceSupervisor supervisor, SqliteOutbox outbox, AgentMetrics metrics)
    {
        _supervisor = supervisor ?? throw new ArgumentNullException(nameof(supervisor));
        _outbox = outbox ?? throw new ArgumentNullException(nameof(outbox));
        _metrics = metrics ?? throw new ArgumentNullException(nameof(metrics));
        _errorsTopic = EdgeTopics.For(supervisor.DeviceId, TopicKind.Errors);
        _statusTopic = EdgeTopics.For(supervisor.DeviceId, TopicKind.Status);
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _metrics.DeviceState.Set(_supervisor.IsParked ? 1 : 0);
        _supervisor.StateChanged += OnStateChanged;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken)
    {
        _supervisor.StateChanged -= OnStateChanged;
        return Task.CompletedTask;
    }

    private void OnStateChanged(DeviceStateChange change)
    {
        _metrics.DeviceState.Set(change.Recovered ? 0 : 1);
        if (!change.Recovered)
        {
            _metrics.DeviceTrips.WithLabels(change.Trip.Fault.Name()).Inc();
        }

        var problem = change.Recovered
            ? $"device {change.DeviceId} is back in service after {change.Downtime.TotalSeconds:F1} s parked "
                + $"({change.Trip.Fault.Name()}); inference runs on the device again."
            : $"device {change.DeviceId} parked ({change.Trip.Fault.Name()}): {change.Trip.Detail}; outputs at their "
                + "safe values, inference runs on the model's digital twin (degraded) while the device is probed.";
        var alert = new ErrorMessage
        {
            DeviceId = change.DeviceId,
            Topic = _statusTopic,
            Problem = problem,
            Alert = change.Recovered ? RecoveredAlert : FaultAlert,
            Timestamp = DateTimeOffset.UtcNow,
        };
        _outbox.Enqueue(OutboxMessage.Error(_errorsTopic, alert));
    }
}
