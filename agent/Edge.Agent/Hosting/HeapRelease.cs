namespace Edge.Agent.Hosting;

/// <summary>
/// Gives the memory of a large message (a model offer) back to the system: at once, and again once the shared
/// array pool's idle buffers can be trimmed. MQTTnet reads each packet into a buffer rented from
/// <c>ArrayPool&lt;byte&gt;.Shared</c>, which keeps it until it has been idle for a minute and a full collection
/// runs; without the second release the agent would hold one offer's buffer indefinitely.
/// </summary>
internal sealed class HeapRelease : IDisposable
{
    // The shared pool trims buffers idle for 60 s at the next full collection; a little later to be past it.
    private static readonly TimeSpan PoolTrimDelay = TimeSpan.FromSeconds(65);
    private readonly ITimer _later;

    public HeapRelease(TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        _later = clock.CreateTimer(_ => WorkingSetTrimmer.ReleaseHeap(), null, Timeout.InfiniteTimeSpan,
            Timeout.InfiniteTimeSpan);
    }

    /// <summary>Releases now and schedules the release after the pool trim (a later call moves it).</summary>
    public void AfterLargeMessage()
    {
        WorkingSetTrimmer.ReleaseHeap();
        _later.Change(PoolTrimDelay, Timeout.InfiniteTimeSpan);
    }

    public void Dispose() => _later.Dispose();
}
