using Edge.Agent.Messaging;
using Edge.Domain.Messaging;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Integration.Tests;

/// <summary>The retained status names the active model and is announced again whenever the model changes.</summary>
public sealed class StatusModelVersionTests
{
    private const string Device = "status-agent";

    [Fact]
    public async Task The_retained_status_follows_the_active_model()
    {
        await using var broker = TestBroker.Create("mqttnet");
        await broker.StartAsync();
        using var folder = new TempFolder();
        var models = new SwitchableModel { ActiveVersion = 3 };
        await using var agent = await AgentInstance.StartAsync(
            broker.Port, Device, folder.Path("outbox.db"), configure: s => s.AddSingleton<IActiveModelSource>(models));
        await using var recorder = await TopicRecorder.ConnectAsync(broker.Port,
            EdgeTopics.For(Device, TopicKind.Status));
        await Eventually.TrueAsync(() => Versions(recorder).Contains(3), "an online status naming model 3");
        Assert.Contains("edge_agent_model_info{version=\"3\"} 1", await ScrapeAsync(agent), StringComparison.Ordinal);

        models.Activate(4);
        await Eventually.TrueAsync(() => Versions(recorder).Contains(4), "an online status naming model 4");
        Assert.Equal(4, Versions(recorder)[^1]);
        var metrics = await ScrapeAsync(agent);
        Assert.Contains("edge_agent_model_info{version=\"4\"} 1", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("version=\"3\"", metrics, StringComparison.Ordinal);
    }

    private static async Task<string> ScrapeAsync(AgentInstance agent)
    {
        using var text = new MemoryStream();
        await agent.Metrics.Registry.CollectAndExportAsTextAsync(text, TestContext.Current.CancellationToken);
        return System.Text.Encoding.UTF8.GetString(text.ToArray());
    }

    private static List<int?> Versions(TopicRecorder recorder) => [.. recorder.Received
        .Select(m => ControlJson.Parse(TopicRecorder.Payload(m), MessagingJsonContext.Default.StatusMessage))
        .Where(s => s.State == StatusMessage.Online)
        .Select(s => s.ModelVersion)];

    private sealed class SwitchableModel : IActiveModelSource
    {
        public int? ActiveVersion { get; set; }

        public event Action? ActiveChanged;

        public void Activate(int version)
        {
            ActiveVersion = version;
            ActiveChanged?.Invoke();
        }
    }
}
