using Edge.Domain.Timing;
using MQTTnet;

namespace Edge.Mqtt;

/// <summary>
/// The one reconnect loop behind every long-lived broker connection — the agent's link, the trainer's ingest and its
/// watchers: open a session (connect, subscribe), stay in it while it lasts, and after any failure wait a jittered
/// exponential backoff and open it again. A broker outage, a refused connection or a failure inside the session never
/// ends the loop; only cancellation does.
/// </summary>
public sealed class MqttReconnectLoop
{
    private readonly Func<CancellationToken, Task> _open;
    private readonly Func<CancellationToken, Task> _stay;
    private readonly ExponentialBackoff _backoff;
    private readonly TimeProvider _time;

    /// <summary>Creates the loop; nothing runs until <see cref="RunAsync"/>.</summary>
    /// <param name="open">Connects and sets the session up (subscriptions); throws if the broker refuses any.</param>
    /// <param name="stay">Runs the session; returns (or throws) when the connection is gone.</param>
    /// <param name="backoff">The waits between attempts; reset after each session opened.</param>
    /// <param name="time">The clock the waits run on.</param>
    public MqttReconnectLoop(
        Func<CancellationToken, Task> open,
        Func<CancellationToken, Task> stay,
        ExponentialBackoff backoff,
        TimeProvider? time = null)
    {
        _open = open ?? throw new ArgumentNullException(nameof(open));
        _stay = stay ?? throw new ArgumentNullException(nameof(stay));
        _backoff = backoff ?? throw new ArgumentNullException(nameof(backoff));
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Sessions opened so far (the first included).</summary>
    public int Opened { get; private set; }

    /// <summary>Raised after each session opened; the argument says whether it is a reconnect.</summary>
    public event Action<bool>? SessionOpened;

    /// <summary>Raised when an attempt or a session failed, with the reason.</summary>
    public event Action<Exception>? SessionLost;

    /// <summary>Raised before each wait, with its length.</summary>
    public event Action<TimeSpan>? Waiting;

    /// <summary>Opens, stays and reopens until <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await _open(cancellationToken).ConfigureAwait(false);
                _backoff.Reset();
                Opened++;
                SessionOpened?.Invoke(Opened > 1);
                await _stay(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Refused, reset, timed out, a protocol error or a failure inside the session: all end in a retry.
                SessionLost?.Invoke(e);
            }

            var delay = _backoff.Next();
            Waiting?.Invoke(delay);
            try
            {
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>
    /// A session that only receives: returns once <paramref name="client"/> is no longer connected, checking every
    /// <paramref name="every"/> and calling <paramref name="turned"/> at each check (a watchdog's sign of life).
    /// </summary>
    public static async Task WhileConnectedAsync(
        IMqttClient client, TimeSpan every, TimeProvider? time, Action? turned, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        while (client.IsConnected)
        {
            turned?.Invoke();
            await Task.Delay(every, time ?? TimeProvider.System, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Closes <paramref name="client"/>'s connection if it has one, ignoring a link already broken: a session half set
    /// up would look connected while receiving nothing, so it is closed before the next attempt.
    /// </summary>
    public static async Task CloseQuietlyAsync(IMqttClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (!client.IsConnected)
        {
            return;
        }

        try
        {
            await client.DisconnectAsync(cancellationToken: CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is MQTTnet.Exceptions.MqttCommunicationException or InvalidOperationException)
        {
            // Gone already.
        }
    }

    /// <summary>
    /// Subscribes <paramref name="client"/> to <paramref name="filters"/> at QoS 1; if the broker refuses any filter
    /// or the subscribe fails, closes the connection (a session half set up receives nothing) and throws, naming the
    /// refused filters.
    /// </summary>
    public static async Task SubscribeOrCloseAsync(
        IMqttClient client, IReadOnlyList<string> filters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(filters);
        try
        {
            var subscription = new MqttClientSubscribeOptionsBuilder();
            foreach (var filter in filters)
            {
                subscription.WithTopicFilter(filter, MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce);
            }

            var refusals = Refusals(
                await client.SubscribeAsync(subscription.Build(), cancellationToken).ConfigureAwait(false));
            if (refusals.Count > 0)
            {
                throw new InvalidOperationException(string.Join("; ", refusals));
            }
        }
        catch
        {
            await CloseQuietlyAsync(client).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>What the broker refused of a subscription, one entry per topic filter; empty if all granted.</summary>
    public static IReadOnlyList<SubscriptionRefusal> Refusals(MqttClientSubscribeResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return [.. result.Items
            .Where(item => item.ResultCode > MqttClientSubscribeResultCode.GrantedQoS2)
            .Select(item => new SubscriptionRefusal(item.TopicFilter.Topic, item.ResultCode))];
    }
}
