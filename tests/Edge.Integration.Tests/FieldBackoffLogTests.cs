using System.Globalization;
using Edge.Trainer.Live.Updates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Edge.Integration.Tests;

/// <summary>
/// The refusal backoff tells the operator what it does: after a refused offer the watch logs how many offers were
/// refused in a row, how long it waits and until when, as one structured line (device, refusals, wait, next try).
/// A real agent on the shipped broker refuses the offer.
/// </summary>
public sealed class FieldBackoffLogTests
{
    [Fact]
    public async Task A_refused_offer_logs_the_refusals_in_a_row_the_wait_and_the_next_try_as_fields()
    {
        var policy = new FieldUpdatePolicy
        {
            DriftThreshold = 0.15,
            Cooldown = TimeSpan.FromMinutes(10),
            MinimumSamples = 150,
            DriftSamples = 300,
        };
        var logger = new FakeLogger();
        await using var lab = await FieldLab.StartAsync();
        lab.Verdicts.Accept = false;
        await lab.MeasureAsync(300);
        await using var trainer = await lab.StartTrainerAsync(policy, logger: logger);
        Assert.Empty(await trainer.CheckAsync());
        lab.Part.AmbientShiftKelvin = 300;
        await lab.MeasureAsync(300);

        var refused = Assert.Single(await trainer.CheckAsync());
        Assert.False(refused.Accepted);

        var ledger = await trainer.Service.Ledger.DeviceAsync(FieldLab.Device, TestContext.Current.CancellationToken);
        var next = Assert.NotNull(ledger.LastCompleted) + policy.Cooldown;
        var line = Assert.Single(
            logger.Collector.GetSnapshot(), r => r.Message.Contains("refused in a row", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Information, line.Level);
        var expected = string.Create(
            CultureInfo.InvariantCulture,
            $"Field updates of {FieldLab.Device}: 1 refused in a row; next try without a new reason after 00:10:00 "
            + $"({next.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z)");
        Assert.Equal(expected, line.Message);
        Assert.Equal(FieldLab.Device, line.GetStructuredStateValue("Device"));
        Assert.Equal("1", line.GetStructuredStateValue("Refusals"));
        var wait = TimeSpan.Parse(line.GetStructuredStateValue("Wait")!, CultureInfo.InvariantCulture);
        Assert.Equal(policy.Cooldown, wait);
        var logged = DateTime.Parse(
            line.GetStructuredStateValue("Next")!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
        Assert.Equal(next.UtcDateTime, logged, TimeSpan.FromSeconds(1));
    }
}
