using System.Buffers;
using System.Diagnostics;
using Edge.Domain.Messaging;

namespace Edge.Agent.Messaging;

/// <summary>PAT requests: checked from the header, decoded into pooled buffers, played in slices.</summary>
public sealed partial class AgentMessageHandler
{
    /// <summary>
    /// Checks a PAT request's response topic and frame header (CRC, layer, the per-request limit) without allocating;
    /// a bad one is answered and counted now, so it never takes a place in the PAT lane. True when it was refused.
    /// </summary>
    public bool RefuseMalformedPat(InboundMessage message) => !TryReadPat(message, out _);

    private bool TryReadPat(InboundMessage message, out int count)
    {
        count = 0;
        if (!HasUsableResponseTopic(message))
        {
            Reject(message, nameof(TopicKind.PatRequest),
                "PAT request has no usable MQTT 5 response topic; nobody could receive the answer.");
            return false;
        }

        var spec = _device.Spec;
        try
        {
            // The declared shape decides before anything is allocated for the drives.
            count = PatFrames.ReadRequestShape(message.Payload.Span, out var driveLength);
            if (driveLength != spec.DriveLength)
            {
                throw new
                    MessageFormatException($"PAT request: drive length {driveLength} does not match layer "
                        + $"'{spec.Name}' (drive length {spec.DriveLength}).");
            }

            if (count > _limits.MaxPatDrivesPerRequest)
            {
                const string key = $"{MqttOptions.SectionName}:{nameof(MqttOptions.MaxPatDrivesPerRequest)}";
                throw new MessageFormatException(
                    $"PAT request: {count} drives exceed this agent's limit of {_limits.MaxPatDrivesPerRequest} per "
                    + $"request ({key}); split the batch.");
            }

            return true;
        }
        catch (MessageFormatException e)
        {
            RejectPat(message, e.Message);
            return false;
        }
    }

    private async ValueTask ServePatAsync(InboundMessage message, CancellationToken cancellationToken)
    {
        if (!TryReadPat(message, out var count))
        {
            return;
        }

        var spec = _device.Spec;
        var drives = ArrayPool<float>.Shared.Rent(count * spec.DriveLength);
        var responses = ArrayPool<float>.Shared.Rent(count * spec.OutputSize);
        try
        {
            await ServePatAsync(message, count, drives, responses, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(drives);
            ArrayPool<float>.Shared.Return(responses);
        }
    }

    private async ValueTask ServePatAsync(
        InboundMessage message, int count, float[] drives, float[] responses, CancellationToken cancellationToken)
    {
        var spec = _device.Spec;
        if (RefuseWhileOutboxFails(message))
        {
            return;
        }

        try
        {
            PatFrames.DecodeRequest(message.Payload.Span, drives.AsSpan(0, count * spec.DriveLength));
        }
        catch (MessageFormatException e)
        {
            RejectPat(message, e.Message);
            return;
        }

        TimeSpan deviceTime;
        try
        {
            deviceTime = await PlayInSlicesAsync(drives, responses, count, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
            when (e is ArgumentException or InvalidOperationException or IOException or TimeoutException)
        {
            RejectPat(message, $"device {_device.DeviceId} could not play the drives: {e.Message}");
            return;
        }

        _metrics.DeviceSeconds.Observe(deviceTime.TotalSeconds);
        _metrics.PatRequests.Inc();
        _metrics.PatDrives.Inc(count);
        // Sampled before replying, so once a requester has its answer the measurements are on their way too.
        SampleMeasurements(drives, responses, count);
        if (RefuseWhileOutboxFails(message))
        {
            return;
        }

        var reply = PatFrames.EncodeReply(responses.AsSpan(0, count * spec.OutputSize), spec.OutputSize);
        Reply(message, reply, PatReplyContentType);
    }

    /// <summary>Plays the drives slice by slice behind any waiting inference; returns the device time alone.</summary>
    private async ValueTask<TimeSpan> PlayInSlicesAsync(
        float[] drives, float[] responses, int count, CancellationToken cancellationToken)
    {
        var spec = _device.Spec;
        var deviceTime = TimeSpan.Zero;
        for (var first = 0; first < count; first += _limits.PatSliceDrives)
        {
            var slice = Math.Min(_limits.PatSliceDrives, count - first);
            var played = drives.AsMemory(first * spec.DriveLength, slice * spec.DriveLength);
            var measured = responses.AsMemory(first * spec.OutputSize, slice * spec.OutputSize);
            var start = Stopwatch.GetTimestamp();
            await _device.ForwardInBackgroundAsync(played, measured, cancellationToken).ConfigureAwait(false);
            deviceTime += Stopwatch.GetElapsedTime(start);
            _metrics.PatSlices.Inc();
        }

        return deviceTime;
    }

    private void SampleMeasurements(float[] drives, float[] responses, int count)
    {
        var spec = _device.Spec;
        for (var i = 0; i < count; i++)
        {
            _measurements.Observe(drives.AsSpan(i * spec.DriveLength, spec.DriveLength),
                responses.AsSpan(i * spec.OutputSize, spec.OutputSize));
        }
    }

    /// <summary>
    /// Refuses a PAT request while the outbox cannot store (disk full, unwritable): an answer whose measurements
    /// cannot be made durable would be seen by the requester and then lost. Checked before playing and again after
    /// sampling, since the outbox may start failing while the drives play. The refusal's own commit retries the disk.
    /// </summary>
    private bool RefuseWhileOutboxFails(InboundMessage message)
    {
        if (_outbox.Problem is not { } problem)
        {
            return false;
        }

        RejectPat(
            message,
            $"device {_device.DeviceId} cannot store measurements now ({problem}); PAT requests are refused until "
            + "its outbox can write again, so no answer is seen whose measurements could be lost");
        return true;
    }

    private void RejectPat(InboundMessage message, string problem)
    {
        _outbox.Enqueue(new OutboxMessage(Guid.CreateVersion7(), message.ResponseTopic!,
            PatFrames.EncodeErrorReply(problem), IsMeasurement: false, ContentType: "application/x-edge-pat-reply",
                CorrelationData: message.CorrelationData));
        Reject(message, nameof(TopicKind.PatRequest), problem);
    }
}
