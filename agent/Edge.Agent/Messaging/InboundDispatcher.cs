using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Edge.Agent.Messaging;

/// <summary>
/// Serves inbound messages in separate bounded lanes, one worker each (<see cref="InboundLane"/>), so an inference
/// request never waits behind a PAT request or an offer. PAT requests are queued per requester and served round
/// robin. Dispatching never blocks the MQTT receive loop: a message whose lane is full is refused as busy at once.
/// Each message is acknowledged to the broker only after it was handled or refused, so a message the agent never
/// finished (a crash, a stop) is delivered again: at least once.
/// </summary>
public sealed partial class InboundDispatcher : IAsyncDisposable
{
    private readonly AgentMessageHandler _handler;
    private readonly AgentMetrics _metrics;
    private readonly ILogger<InboundDispatcher> _logger;
    private readonly Channel<InboundDelivery> _inference;
    private readonly Channel<InboundDelivery> _offers;
    private readonly Channel<InboundDelivery> _control;
    private readonly RoundRobinQueue<InboundDelivery> _pat;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Hosting.HeapRelease _heap = new(TimeProvider.System);
    private Task[] _workers = [];

    /// <summary>
    /// Creates the lanes with the capacities of <paramref name="options"/>; nothing runs until <see cref="Start"/>.
    /// </summary>
    public InboundDispatcher(
        AgentMessageHandler handler,
        IOptions<MqttOptions> options,
        AgentMetrics metrics,
        ILogger<InboundDispatcher> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        (_handler, _metrics, _logger) = (handler, metrics, logger);
        var o = options.Value;
        _inference = Lane(o.InferenceLaneCapacity);
        _offers = Lane(o.OfferLaneCapacity);
        _control = Lane(o.ControlLaneCapacity);
        _pat = new RoundRobinQueue<InboundDelivery>(o.PatQueuePerRequester, o.PatLaneCapacity);
    }

    /// <summary>Starts one worker per lane.</summary>
    public void Start()
    {
        if (_workers.Length > 0)
        {
            return;
        }

        var token = _stopping.Token;
        var none = CancellationToken.None;
        _workers =
        [
            Task.Run(() => ServeAsync(InboundLane.Inference, _inference.Reader.ReadAsync, token), none),
            Task.Run(() => ServeAsync(InboundLane.Pat, _pat.DequeueAsync, token), none),
            Task.Run(() => ServeAsync(InboundLane.Offer, _offers.Reader.ReadAsync, token), none),
            Task.Run(() => ServeAsync(InboundLane.Control, _control.Reader.ReadAsync, token), none),
        ];
    }

    /// <summary>
    /// Queues <paramref name="message"/> in its lane; <paramref name="acknowledge"/> is called once it was handled.
    /// When the lane is full the message is refused as busy, counted and acknowledged now.
    /// </summary>
    public async ValueTask DispatchAsync(InboundMessage message, Func<CancellationToken, Task> acknowledge)
    {
        ArgumentNullException.ThrowIfNull(message);
        var delivery = new InboundDelivery(message, acknowledge);
        var lane = _handler.LaneOf(message);
        if (lane == InboundLane.Pat && _handler.RefuseMalformedPat(message))
        {
            // Refused from its header: a malformed request never takes a place a good one could have.
            await AcknowledgeAsync(delivery, _stopping.Token).ConfigureAwait(false);
            return;
        }

        var queued = lane switch
        {
            InboundLane.Inference => _inference.Writer.TryWrite(delivery),
            InboundLane.Pat => _pat.TryEnqueue(AgentMessageHandler.RequesterOf(message), delivery),
            InboundLane.Offer => _offers.Writer.TryWrite(delivery),
            _ => _control.Writer.TryWrite(delivery),
        };
        if (queued)
        {
            ObserveDepth(lane);
            return;
        }

        _handler.RefuseBusy(message, lane);
        await AcknowledgeAsync(delivery, _stopping.Token).ConfigureAwait(false);
    }

    /// <summary>
    /// Stops the workers; messages not yet handled stay unacknowledged and the broker delivers them again.
    /// </summary>
    public async Task StopAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_workers).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _pat.Dispose();
        _heap.Dispose();
        _stopping.Dispose();
    }

    private static Channel<InboundDelivery> Lane(int capacity) => Channel.CreateBounded<InboundDelivery>(
        new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private async Task ServeAsync(
        InboundLane lane, Func<CancellationToken, ValueTask<InboundDelivery>> next, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            InboundDelivery delivery;
            try
            {
                delivery = await next(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            ObserveDepth(lane);
            try
            {
                await _handler.HandleAsync(delivery.Message, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return; // Not acknowledged: the broker delivers it again after the restart.
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The handler answers bad input itself; this is the last line that keeps the lane serving.
                LogHandlerFailed(_logger, delivery.Message.Topic, e);
            }

            await AcknowledgeAsync(delivery, cancellationToken).ConfigureAwait(false);
            if (lane == InboundLane.Offer)
            {
                // An offer can be 3 MiB on the large-object heap and in the shared array pool, which only a full
                // collection frees: give it back now rather than at some later one (offers are rare; the trainer
                // alone may send them).
                delivery = default;
                _heap.AfterLargeMessage();
            }
        }
    }

    private async Task AcknowledgeAsync(InboundDelivery delivery, CancellationToken cancellationToken)
    {
        try
        {
            await delivery.Acknowledge(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The link dropped since the message arrived: the broker delivers it again, and it is served again.
            LogAcknowledgeFailed(_logger, delivery.Message.Topic, e.Message);
        }
    }

    private void ObserveDepth(InboundLane lane)
    {
        var depth = lane switch
        {
            InboundLane.Inference => _inference.Reader.Count,
            InboundLane.Pat => _pat.Count,
            InboundLane.Offer => _offers.Reader.Count,
            _ => _control.Reader.Count,
        };
        _metrics.LaneDepth.WithLabels(AgentMessageHandler.LaneLabel(lane)).Set(depth);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Handling a message on {Topic} failed")]
    private static partial void LogHandlerFailed(ILogger logger, string topic, Exception exception);

    [LoggerMessage(
        Level = LogLevel.Debug,
        Message = "Could not acknowledge the message on {Topic} ({Reason}); the broker will deliver it again")]
    private static partial void LogAcknowledgeFailed(ILogger logger, string topic, string reason);
}

/// <summary>An inbound message waiting in its lane, with the call that acknowledges it to the broker.</summary>
/// <param name="Message">The message.</param>
/// <param name="Acknowledge">Sends its acknowledgement (nothing for QoS 0).</param>
public readonly record struct InboundDelivery(InboundMessage Message, Func<CancellationToken, Task> Acknowledge);
