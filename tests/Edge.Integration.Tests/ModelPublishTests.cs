using Edge.Agent.Messaging;
using Edge.Domain.Messaging;
using Edge.Trainer.Live;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Integration.Tests;

/// <summary>The trainer offers a package to a live agent over the broker and gets the agent's verdict back.</summary>
public sealed class ModelPublishTests
{
    private const string Device = "publish-agent";

    [Theory]
    [InlineData("mqttnet")]
    [InlineData("mosquitto")]
    public async Task A_published_package_reaches_the_agents_store_and_its_verdict_comes_back(string brokerKind)
    {
        await using var broker = TestBroker.Create(brokerKind);
        await broker.StartAsync();
        using var folder = new TempFolder();
        var store = new VerdictByContent();
        await using var agent = await AgentInstance.StartAsync(broker.Port, Device, folder.Path("outbox.db"),
            configure: s => s.AddSingleton<IModelOfferHandler>(store));
        var options = new BrokerOptions { Host = "127.0.0.1", Port = broker.Port, UseTls = false, AllowPlaintext = true,
            ClientId = "publisher" };

        var accepted = await ModelPublisher.OfferAsync(options, Device, "good-v7"u8.ToArray(), TimeSpan.FromSeconds(20),
            TestContext.Current.CancellationToken);
        var refused = await ModelPublisher.OfferAsync(options, Device, "worse-v8"u8.ToArray(), TimeSpan.FromSeconds(20),
            TestContext.Current.CancellationToken);

        Assert.True(accepted.Accepted);
        Assert.Equal("activated good-v7", accepted.Reason);
        Assert.False(refused.Accepted);
        Assert.Equal("calibration accuracy below the active model's", refused.Reason);
        Assert.Equal(Device, refused.DeviceId);
        Assert.Equal(["good-v7", "worse-v8"], store.Seen);
    }

    /// <summary>
    /// The field updater offers again as soon as a verdict comes back. With one client id for every offer, the broker
    /// took each connection for the previous one's session, and MQTTnet's server could delete the new session while
    /// still cleaning up the old one (dotnet/MQTTnet#719): the verdict never arrived. Each offer connects as itself.
    /// </summary>
    [Fact]
    public async Task Offers_back_to_back_each_connect_as_themselves_and_get_their_verdict()
    {
        await using var broker = new InProcessBroker();
        await broker.StartAsync();
        using var folder = new TempFolder();
        var store = new VerdictByContent();
        await using var agent = await AgentInstance.StartAsync(
            broker.Port, Device, folder.Path("outbox.db"), configure: s => s.AddSingleton<IModelOfferHandler>(store));
        var options = new BrokerOptions
        {
            Host = "127.0.0.1", Port = broker.Port, UseTls = false, AllowPlaintext = true, ClientId = "publisher",
        };

        for (var i = 0; i < 10; i++)
        {
            var verdict = await ModelPublisher.OfferAsync(
                options, Device, System.Text.Encoding.UTF8.GetBytes($"good-{i}"), TimeSpan.FromSeconds(20),
                TestContext.Current.CancellationToken);
            Assert.Equal($"activated good-{i}", verdict.Reason);
        }

        var publishers = broker.ConnectedClientIds.Where(id => id.StartsWith("publisher", StringComparison.Ordinal));
        Assert.Equal(10, publishers.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public async Task An_offer_nobody_answers_times_out_naming_the_agent()
    {
        await using var broker = TestBroker.Create("mqttnet");
        await broker.StartAsync();
        var options = new BrokerOptions { Host = "127.0.0.1", Port = broker.Port, UseTls = false, AllowPlaintext = true,
            ClientId = "publisher" };

        var error = await Assert.ThrowsAsync<TimeoutException>(()
            => ModelPublisher.OfferAsync(options, "nobody-home", "x"u8.ToArray(), TimeSpan.FromMilliseconds(500),
                TestContext.Current.CancellationToken));

        Assert.Contains("'nobody-home'", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Stands in for the model store (tested on its own in Edge.Agent.Tests): the verdict follows the
    /// content.</summary>
    private sealed class VerdictByContent : IModelOfferHandler
    {
        public List<string> Seen { get; } = [];

        public ValueTask<ModelOfferResult> HandleOfferAsync(ModelOffer offer, CancellationToken cancellationToken)
        {
            var text = System.Text.Encoding.UTF8.GetString(offer.Package.Span);
            Seen.Add(text);
            return ValueTask.FromResult(text.StartsWith("good", StringComparison.Ordinal)
                ? new ModelOfferResult(true, "activated " + text)
                : new ModelOfferResult(false, "calibration accuracy below the active model's"));
        }
    }
}
