namespace Edge.Agent.Messaging;

/// <summary>
/// A bounded queue per key, served round robin: one item of each waiting key in turn, so one key's backlog never
/// delays another key by more than one item. Bounded per key and in total; a full queue refuses, it never blocks.
/// </summary>
/// <typeparam name="T">The queued item.</typeparam>
public sealed class RoundRobinQueue<T> : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Queue<T>> _queues = new(StringComparer.Ordinal);
    private readonly Queue<string> _rotation = new();
    private readonly SemaphoreSlim _available = new(0);
    private readonly int _perKey;
    private readonly int _total;
    private int _count;

    /// <summary>
    /// Creates a queue holding at most <paramref name="perKey"/> items per key and <paramref name="total"/> in all.
    /// </summary>
    public RoundRobinQueue(int perKey, int total)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perKey, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(total, perKey);
        (_perKey, _total) = (perKey, total);
    }

    /// <summary>Items waiting, over all keys.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>
    /// Queues <paramref name="item"/> for <paramref name="key"/>; false when that key's queue or the whole queue is
    /// full.
    /// </summary>
    public bool TryEnqueue(string key, T item)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_lock)
        {
            if (_count >= _total)
            {
                return false;
            }

            if (!_queues.TryGetValue(key, out var queue))
            {
                queue = new Queue<T>(_perKey);
                _queues.Add(key, queue);
                _rotation.Enqueue(key);
            }
            else if (queue.Count >= _perKey)
            {
                return false;
            }

            queue.Enqueue(item);
            _count++;
        }

        _available.Release();
        return true;
    }

    /// <summary>Waits for an item and returns the next one in the rotation.</summary>
    public async ValueTask<T> DequeueAsync(CancellationToken cancellationToken)
    {
        await _available.WaitAsync(cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            var key = _rotation.Dequeue();
            var queue = _queues[key];
            var item = queue.Dequeue();
            _count--;
            if (queue.Count > 0)
            {
                _rotation.Enqueue(key);
            }
            else
            {
                _queues.Remove(key);
            }

            return item;
        }
    }

    /// <inheritdoc />
    public void Dispose() => _available.Dispose();
}
