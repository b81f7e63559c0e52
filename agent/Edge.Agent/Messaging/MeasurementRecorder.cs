using Edge.Domain.Messaging;
using Edge.Domain.Specs;

namespace Edge.Agent.Messaging;

/// <summary>
/// Collects measurements (drive played, inputs inside it, response measured) into column buffers and puts each full
/// batch — or a partial one when <see cref="Flush"/> is called — into the outbox as one binary frame. It also
/// flushes
/// whenever a control message is about to enter the outbox, so a reply or result is never published before the
/// measurements recorded ahead of it are committed. When the outbox cannot store (disk full) the recorder keeps its
/// batch, sheds new measurements (counted in <see cref="Shed"/>) and tries again at the next flush: it never throws
/// for the outbox and never stops recording.
/// </summary>
public sealed class MeasurementRecorder
{
    private readonly Lock _gate = new();
    private readonly LayerSpec _spec;
    private readonly SqliteOutbox _outbox;
    private readonly string _topic;
    private readonly int _batchSize;
    private readonly Guid[] _ids;
    private readonly long[] _timestamps;
    private readonly float[] _inputs;
    private readonly float[] _drives;
    private readonly float[] _responses;
    private readonly MeasurementIds _idSource = new();
    private int _filled;
    private long _shed;

    /// <summary>Creates a recorder for <paramref name="deviceId"/>'s layer that publishes batches of <paramref
    /// name="batchSize"/>.</summary>
    public MeasurementRecorder(LayerSpec spec, string deviceId, SqliteOutbox outbox, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(outbox);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        (_spec, _outbox, _batchSize) = (spec, outbox, batchSize);
        _topic = EdgeTopics.For(deviceId, TopicKind.Measurements);
        _ids = new Guid[batchSize];
        _timestamps = new long[batchSize];
        _inputs = new float[batchSize * spec.InputSize];
        _drives = new float[batchSize * spec.DriveLength];
        _responses = new float[batchSize * spec.OutputSize];
        outbox.Attach(this);
    }

    /// <summary>Measurements recorded since the recorder was created.</summary>
    public long Recorded { get; private set; }

    /// <summary>Measurements dropped because the outbox could not store the full batch before them.</summary>
    public long Shed => Volatile.Read(ref _shed);

    /// <summary>Records one measurement; <paramref name="drive"/> and <paramref name="response"/> must fit the
    /// layer.</summary>
    public void Record(ReadOnlySpan<float> drive, ReadOnlySpan<float> response, DateTimeOffset timestamp)
    {
        if (drive.Length != _spec.DriveLength || response.Length != _spec.OutputSize)
        {
            throw new
                ArgumentException($"Layer '{_spec.Name}' measurements need {_spec.DriveLength} drive and "
                    + $"{_spec.OutputSize} response values, got {drive.Length} and {response.Length}.");
        }

        lock (_gate)
        {
            if (_filled == _batchSize && !TryFlushLocked())
            {
                // The outbox refused the full batch (disk full): keep it for the next try, shed this one.
                _shed++;
                return;
            }

            var i = _filled;
            _ids[i] = _idSource.Next(timestamp);
            _timestamps[i] = timestamp.ToUnixTimeMilliseconds();
            drive.CopyTo(_drives.AsSpan(i * _spec.DriveLength));
            response.CopyTo(_responses.AsSpan(i * _spec.OutputSize));
            var inputs = _inputs.AsSpan(i * _spec.InputSize, _spec.InputSize);
            for (var s = 0; s < drive.Length; s++)
            {
                var slot = _spec.DriveLayout[s];
                if (slot.Kind == DriveSlotKind.Input)
                {
                    inputs[slot.Index] = drive[s];
                }
            }

            _filled++;
            Recorded++;
            if (_filled == _batchSize)
            {
                TryFlushLocked();
            }
        }
    }

    /// <summary>
    /// Commits the partial batch, if any, to the outbox; false when the outbox cannot store it now (it is kept).
    /// </summary>
    public bool Flush()
    {
        lock (_gate)
        {
            return TryFlushLocked();
        }
    }

    /// <summary>
    /// Commits <paramref name="control"/> together with the pending measurements, in one transaction (the outbox
    /// calls this for every control message). Under the recorder's lock, so no measurement recorded before it can
    /// still be on its way into the outbox when it is committed.
    /// </summary>
    internal void CommitWith(OutboxMessage control)
    {
        lock (_gate)
        {
            if (_filled == 0)
            {
                _outbox.Store(null, control);
                return;
            }

            if (_outbox.Store(PendingBatch(), control))
            {
                _filled = 0;
            }
        }
    }

    private bool TryFlushLocked()
    {
        if (_filled == 0)
        {
            return true;
        }

        try
        {
            _outbox.Enqueue(PendingBatch());
        }
        catch (OutboxUnavailableException)
        {
            // The outbox reports the problem itself (log, health, errors topic); the batch waits here.
            return false;
        }

        _filled = 0;
        return true;
    }

    private OutboxMessage PendingBatch()
    {
        var n = _filled;
        var batch = n == _batchSize
            ? new MeasurementBatch(_spec.InputSize, _spec.DriveLength, _spec.OutputSize, _ids, _timestamps, _inputs,
                _drives, _responses)
            : new MeasurementBatch(_spec.InputSize, _spec.DriveLength, _spec.OutputSize, _ids[..n], _timestamps[..n],
                _inputs[..(n * _spec.InputSize)], _drives[..(n * _spec.DriveLength)],
                    _responses[..(n * _spec.OutputSize)]);
        return new OutboxMessage(
            Guid.CreateVersion7(),
            _topic,
            batch.Encode(),
            IsMeasurement: true,
            ContentType: "application/x-edge-measurements");
    }
}
