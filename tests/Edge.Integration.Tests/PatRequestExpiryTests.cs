using Edge.Domain.Messaging;
using Edge.Domain.Simulation;
using Edge.Trainer.Live;

namespace Edge.Integration.Tests;

/// <summary>PAT requests carry an MQTT message expiry: an agent that returns late does not play stale ones.</summary>
public sealed class PatRequestExpiryTests
{
    [Fact]
    public async Task A_request_older_than_its_expiry_never_reaches_an_agent_that_returns_and_a_fresh_one_does()
    {
        await using var broker = TestBroker.Create("mosquitto");
        await broker.StartAsync();
        var spec = PhysicalSystems.Get("electronic").CreateDevice("sleeper", 1).Spec;
        // The agent announced itself and left; its persistent session keeps its subscription and queues requests.
        await using var sleeper = await StandInAgent.ConnectAsync(broker.Port, "sleeper", persistentSession: true);
        await sleeper.AnnounceAsync(StatusMessage.Online, spec);
        await sleeper.DisconnectAsync();
        var options = PatLoopTests.Remote(broker.Port, "sleeper") with
        {
            AttemptTimeout = TimeSpan.FromMilliseconds(300),
            Retries = 1,
            RequestExpiry = TimeSpan.FromSeconds(5),
        };
        var token = TestContext.Current.CancellationToken;
        await using var remote = await RemoteDevice.ConnectAsync(options, cancellationToken: token);

        var stale = PatLoopTests.Drives(spec, 2, seed: 1);
        var unanswered = await Assert.ThrowsAsync<RemoteDeviceException>(
            async () => await remote.ForwardAsync(stale, new float[2 * spec.OutputSize], token));
        Assert.Equal(
            "Agent 'sleeper' did not answer a PAT request of 2 drives: no reply within 0.3 s, attempts: 2 "
            + "(is it online and serving?).",
            unanswered.Message);

        // Past the stale request's expiry, a fresh request goes out and the agent returns at once.
        await Task.Delay(TimeSpan.FromSeconds(6), token);
        var fresh = PatLoopTests.Drives(spec, 2, seed: 2);
        await Assert.ThrowsAsync<RemoteDeviceException>(
            async () => await remote.ForwardAsync(fresh, new float[2 * spec.OutputSize], token));
        await sleeper.ReconnectAsync();

        // Both attempts at the fresh request arrive; neither attempt at the stale one does.
        await Eventually.TrueAsync(() => sleeper.Requests.Count >= 2, "the fresh request's two attempts delivered");
        await Task.Delay(TimeSpan.FromMilliseconds(500), token);
        Assert.Equal(2, sleeper.Requests.Count);
        Assert.All(sleeper.Requests, delivered =>
        {
            Assert.Equal(PatFrames.EncodeRequest(fresh, spec.DriveLength), TopicRecorder.Payload(delivered));
            Assert.InRange(delivered.MessageExpiryInterval, 1u, 5u);
        });
    }

    [Fact]
    public void An_expiry_that_does_not_exceed_the_attempt_timeout_is_refused_by_name()
    {
        var fiveSeconds = TimeSpan.FromSeconds(5);
        var options = PatLoopTests.Remote(1883, "x") with { AttemptTimeout = fiveSeconds, RequestExpiry = fiveSeconds };
        var error = Assert.Throws<ArgumentException>(() => options.RequestExpirySeconds);
        const string Expected = "RequestExpiry (00:00:05) must exceed AttemptTimeout (00:00:05)";
        Assert.Contains(Expected, error.Message, StringComparison.Ordinal);
        Assert.Equal(10u, (options with { RequestExpiry = null }).RequestExpirySeconds);
    }
}
