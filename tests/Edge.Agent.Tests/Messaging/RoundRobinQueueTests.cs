using Edge.Agent.Messaging;

namespace Edge.Agent.Tests.Messaging;

/// <summary>Per-requester PAT queue: served round robin, bounded per requester and in total.</summary>
public sealed class RoundRobinQueueTests
{
    [Fact]
    public async Task Requesters_are_served_in_turn_whatever_their_backlog()
    {
        using var queue = new RoundRobinQueue<string>(perKey: 3, total: 10);
        var arrivals = new[]
        {
            ("flood", "f1"), ("flood", "f2"), ("flood", "f3"), ("b", "b1"), ("c", "c1"), ("b", "b2"),
        };
        foreach (var (key, item) in arrivals)
        {
            Assert.True(queue.TryEnqueue(key, item));
        }

        var served = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            served.Add(await queue.DequeueAsync(TestContext.Current.CancellationToken));
        }

        Assert.Equal(["f1", "b1", "c1", "f2", "b2", "f3"], served);
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public void A_requester_at_its_bound_is_refused_while_others_still_get_in_until_the_total()
    {
        using var queue = new RoundRobinQueue<int>(perKey: 2, total: 3);
        Assert.True(queue.TryEnqueue("flood", 1));
        Assert.True(queue.TryEnqueue("flood", 2));
        Assert.False(queue.TryEnqueue("flood", 3));
        Assert.True(queue.TryEnqueue("other", 4));
        Assert.False(queue.TryEnqueue("third", 5));
        Assert.Equal(3, queue.Count);
    }
}
