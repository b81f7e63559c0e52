using Edge.Agent.Messaging;
using Edge.Domain.Messaging;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Integration.Tests;

/// <summary>
/// The agent says how it is doing now: at each calibration probe round its live accuracy and the label-free class-mix
/// shift of its recent answers go into the retained status and the gauges, next to the active version.
/// </summary>
public sealed class StatusLiveAccuracyTests
{
    private const string Device = "live-agent";

    [Fact]
    public async Task Each_probe_round_updates_the_retained_status_and_the_live_accuracy_gauge()
    {
        await using var broker = TestBroker.Create("mqttnet");
        await broker.StartAsync();
        using var folder = new TempFolder();
        var models = new ProbedModel();
        await using var agent = await AgentInstance.StartAsync(
            broker.Port, Device, folder.Path("outbox.db"), configure: s => s.AddSingleton<IActiveModelSource>(models));
        await using var recorder = await TopicRecorder.ConnectAsync(
            broker.Port, EdgeTopics.For(Device, TopicKind.Status));
        await Eventually.TrueAsync(() => Online(recorder).Count > 0, "an online status");
        Assert.Null(Online(recorder)[^1].LiveAccuracy);
        Assert.Contains("edge_agent_model_live_accuracy NaN", await ScrapeAsync(agent), StringComparison.Ordinal);

        models.Probed(0.61);
        await Eventually.TrueAsync(() => Online(recorder)[^1].LiveAccuracy == 0.61, "a status with live accuracy 0.61");
        Assert.Equal((2, 0.25), (Online(recorder)[^1].ModelVersion, Online(recorder)[^1].ClassShift));
        // How many rounds the figure holds: a watching trainer takes a reference only from a full window.
        Assert.Equal(3, Online(recorder)[^1].LiveAccuracyRounds);
        var metrics = await ScrapeAsync(agent);
        Assert.Contains("edge_agent_model_live_accuracy 0.61", metrics, StringComparison.Ordinal);
        Assert.Contains("edge_agent_prediction_class_shift 0.25", metrics, StringComparison.Ordinal);
    }

    private static async Task<string> ScrapeAsync(AgentInstance agent)
    {
        using var text = new MemoryStream();
        await agent.Metrics.Registry.CollectAndExportAsTextAsync(text, TestContext.Current.CancellationToken);
        return System.Text.Encoding.UTF8.GetString(text.ToArray());
    }

    private static List<StatusMessage> Online(TopicRecorder recorder) => [.. recorder.Received
        .Select(m => ControlJson.Parse(TopicRecorder.Payload(m), MessagingJsonContext.Default.StatusMessage))
        .Where(s => s.State == StatusMessage.Online)];

    private sealed class ProbedModel : IActiveModelSource
    {
        public int? ActiveVersion => 2;

        public double? LiveAccuracy { get; private set; }

        public double? ClassShift { get; private set; }

        public int? LiveAccuracyRounds { get; private set; }

        public event Action? ActiveChanged
        {
            add { }
            remove { }
        }

        public event Action? LiveAccuracyChanged;

        public void Probed(double accuracy)
        {
            (LiveAccuracy, ClassShift, LiveAccuracyRounds) = (accuracy, 0.25, 3);
            LiveAccuracyChanged?.Invoke();
        }
    }
}
