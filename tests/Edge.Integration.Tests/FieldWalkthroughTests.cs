using Edge.Domain.Simulation;

namespace Edge.Integration.Tests;

/// <summary>
/// The operator's walkthrough (docs/field-updates.md), as far as it runs in one test: the shipped broker, a real agent,
/// real <c>edge-trainer serve</c> processes; the drift is caused through the operator's control message with the stock
/// <c>mosquitto_pub</c>, detected by the watch, answered by a field PAT session whose signed package the agent accepts;
/// a <c>serve</c> killed in the middle of its session and started again with the same command publishes nothing twice.
/// </summary>
public sealed class FieldWalkthroughTests
{
    [Fact]
    public async Task A_drift_caused_by_the_operator_is_detected_and_answered_once_even_across_a_killed_trainer()
    {
        await using var lab = await FieldLab.StartAsync();
        await lab.MeasureAsync(300);
        var serve = lab.ServeArguments();
        using (var first = TrainerProcess.Start(serve))
        {
            await first.WaitForAsync($"Field check of {FieldLab.Device}: wait (below-threshold)");

            // The operator warms the part through the broker; the agent's sampled traffic then shows it.
            await EnvironmentControlTests.MosquittoPubAsync(lab.Broker, """{"schemaVersion":1,"ambientKelvin":300}""");
            await Eventually.TrueAsync(
                () => lab.Part.Environment.AmbientKelvin == 300, "the operator's warm-up applied");
            await lab.MeasureAsync(300);

            await first.WaitForAsync($"Field check of {FieldLab.Device}: start (drifted)");
            first.Kill();
        }

        // Killed mid-session; started again with the same command: the drift is still there, one session answers it.
        using var second = TrainerProcess.Start(serve);
        await Eventually.TrueAsync(() => lab.Verdicts.ActiveVersion == 2, "v2 validated and activated", seconds: 300);
        await second.WaitForAsync($"Field check of {FieldLab.Device}: wait", count: 2);
        second.Kill();

        var offered = lab.Verdicts.Offered;
        Assert.Equal(offered.Count, offered.Select(o => o.Version).Distinct().Count());
        Assert.Equal(offered.Count, offered.Select(o => o.Sha256).Distinct().Count());
        Assert.Equal(2, lab.Verdicts.ActiveVersion);
        Assert.Equal(new PartEnvironment { AmbientKelvin = 300 }, lab.Part.Environment);
    }
}
