using Edge.Agent.Models;

namespace Edge.Agent.Tests.Models;

public sealed class HealthMonitorTests
{
    [Fact]
    public void Low_mean_confidence_over_a_full_window_is_unhealthy_and_reset_clears_it()
    {
        var monitor = new HealthMonitor(window: 4, minMeanConfidence: 0.5, maxDeviceErrorRate: 0.25);
        for (var i = 0; i < 3; i++)
        {
            monitor.RecordSuccess(0.2f);
            Assert.Null(monitor.Verdict());
        }

        monitor.RecordSuccess(0.2f);
        Assert.Contains("mean confidence 0.200", monitor.Verdict(), StringComparison.Ordinal);

        // The window rolls: confident results push the old ones out.
        for (var i = 0; i < 4; i++)
        {
            monitor.RecordSuccess(0.9f);
        }

        Assert.Null(monitor.Verdict());
        Assert.Equal(0.9, monitor.MeanConfidence, 1e-6);
        monitor.Reset();
        Assert.Equal(1, monitor.MeanConfidence);
    }

    [Fact]
    public void Device_errors_above_the_rate_are_unhealthy_and_do_not_count_as_confidence()
    {
        var monitor = new HealthMonitor(window: 4, minMeanConfidence: 0.5, maxDeviceErrorRate: 0.25);
        monitor.RecordSuccess(0.8f);
        monitor.RecordSuccess(0.8f);
        monitor.RecordSuccess(0.8f);
        monitor.RecordDeviceError();
        Assert.Null(monitor.Verdict());
        Assert.Equal(0.8, monitor.MeanConfidence, 1e-6);
        monitor.RecordDeviceError();
        Assert.Equal(0.5, monitor.DeviceErrorRate);
        Assert.Contains("device error rate 50", monitor.Verdict(), StringComparison.Ordinal);
    }
}
