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

    [Fact]
    public void A_confident_but_wrong_model_is_unhealthy_once_its_calibration_probes_fall_too_far()
    {
        var monitor = new HealthMonitor(
            window: 4,
            minMeanConfidence: 0.35,
            maxDeviceErrorRate: 0.2,
            calibrationWindow: 2,
            maxCalibrationDrop: 0.10);
        for (var i = 0; i < 4; i++)
        {
            monitor.RecordSuccess(0.85f); // sure of itself, as the part at 59 % was
        }

        monitor.RecordCalibration(0.60, installAccuracy: 0.94);
        Assert.Null(monitor.Verdict()); // one round is not a window
        monitor.RecordCalibration(0.62, installAccuracy: 0.94);
        Assert.Equal(0.61, monitor.LiveCalibrationAccuracy, 1e-9);
        var verdict = monitor.Verdict();
        Assert.Contains("calibration accuracy 61.0 % over the last 2 probe rounds", verdict, StringComparison.Ordinal);

        // A small dip within the allowed drop is healthy; a reset forgets the rounds.
        monitor.RecordCalibration(0.90, installAccuracy: 0.94);
        monitor.RecordCalibration(0.88, installAccuracy: 0.94);
        Assert.Null(monitor.Verdict());
        monitor.Reset();
        Assert.True(double.IsNaN(monitor.LiveCalibrationAccuracy));
        Assert.Equal(0, monitor.CalibrationRounds);
    }
}
