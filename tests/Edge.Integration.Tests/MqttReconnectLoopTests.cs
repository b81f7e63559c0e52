using System.Collections.Concurrent;
using Edge.Domain.Timing;
using Edge.Mqtt;
using MQTTnet;
using MQTTnet.Protocol;

namespace Edge.Integration.Tests;

/// <summary>The reconnect loop of every long-lived broker connection of agent and trainer, on a real broker.</summary>
public sealed class MqttReconnectLoopTests
{
    [Fact]
    public async Task It_waits_for_the_broker_survives_an_outage_and_stops_only_when_cancelled()
    {
        await using var broker = new InProcessBroker();
        using var client = new MqttClientFactory().CreateMqttClient();
        var loop = new MqttReconnectLoop(
            ct => client.ConnectAsync(Options(broker.Port), ct),
            ct => MqttReconnectLoop.WhileConnectedAsync(client, TimeSpan.FromMilliseconds(20), null, null, ct),
            new ExponentialBackoff(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(200)));
        var opened = new ConcurrentQueue<bool>();
        var lost = 0;
        loop.SessionOpened += reconnect => opened.Enqueue(reconnect);
        loop.SessionLost += _ => Interlocked.Increment(ref lost);
        using var stop = new CancellationTokenSource();
        var running = loop.RunAsync(stop.Token);

        await Eventually.TrueAsync(() => Volatile.Read(ref lost) >= 2, "refused connects retried, the broker down");
        Assert.Empty(opened);
        await broker.StartAsync();
        await Eventually.TrueAsync(() => client.IsConnected && opened.Count == 1, "the first session opened");
        await broker.StopAsync();
        await Eventually.TrueAsync(() => !client.IsConnected, "the outage noticed");
        await broker.StartAsync();
        await Eventually.TrueAsync(() => client.IsConnected && opened.Count == 2, "the session opened again");

        Assert.Equal([false, true], opened);
        Assert.Equal(2, loop.Opened);
        await stop.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.True(running.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task A_failure_inside_the_session_is_retried_after_a_wait_not_fatal()
    {
        await using var broker = new InProcessBroker();
        await broker.StartAsync();
        using var client = new MqttClientFactory().CreateMqttClient();
        var stays = 0;
        var waits = new ConcurrentQueue<TimeSpan>();
        var loop = new MqttReconnectLoop(
            async ct =>
            {
                if (!client.IsConnected)
                {
                    await client.ConnectAsync(Options(broker.Port), ct);
                }
            },
            async ct =>
            {
                if (Interlocked.Increment(ref stays) == 1)
                {
                    throw new InvalidOperationException("the store is full");
                }

                await MqttReconnectLoop.WhileConnectedAsync(client, TimeSpan.FromMilliseconds(20), null, null, ct);
            },
            new ExponentialBackoff(TimeSpan.FromMilliseconds(30), TimeSpan.FromSeconds(1)));
        Exception? reason = null;
        loop.SessionLost += e => reason = e;
        loop.Waiting += waits.Enqueue;
        using var stop = new CancellationTokenSource();
        var running = loop.RunAsync(stop.Token);

        await Eventually.TrueAsync(() => loop.Opened == 2, "the session opened again after the failure");
        Assert.Equal("the store is full", reason?.Message);
        Assert.Equal([TimeSpan.FromMilliseconds(30)], waits);
        await stop.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Refusals_name_each_filter_the_broker_would_not_grant()
    {
        await using var broker = new InProcessBroker();
        broker.RefusedFilters.Add("edge/v1/other/status");
        await broker.StartAsync();
        using var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(Options(broker.Port), TestContext.Current.CancellationToken);

        var result = await client.SubscribeAsync(
            new MqttClientSubscribeOptionsBuilder()
                .WithTopicFilter("edge/v1/mine/status", MqttQualityOfServiceLevel.AtLeastOnce)
                .WithTopicFilter("edge/v1/other/status", MqttQualityOfServiceLevel.AtLeastOnce)
                .Build(),
            TestContext.Current.CancellationToken);
        var refusal = Assert.Single(MqttReconnectLoop.Refusals(result));

        Assert.Equal("edge/v1/other/status", refusal.TopicFilter);
        Assert.Equal(
            "the broker refused the subscription to 'edge/v1/other/status': NotAuthorized", refusal.ToString());
        await MqttReconnectLoop.CloseQuietlyAsync(client);
        Assert.False(client.IsConnected);
        await MqttReconnectLoop.CloseQuietlyAsync(client);
    }

    private static MqttClientOptions Options(int port) => new MqttClientOptionsBuilder()
        .WithTcpServer("127.0.0.1", port)
        .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
        .WithTimeout(TimeSpan.FromSeconds(5))
        .Build();
}
