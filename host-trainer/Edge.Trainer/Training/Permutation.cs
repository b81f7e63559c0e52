using Edge.Domain.Simulation;

namespace Edge.Trainer.Training;

/// <summary>Epoch orderings shared by every training loop (twin fits and PNN training).</summary>
internal static class Permutation
{
    /// <summary>The indices 0..count−1 in order.</summary>
    public static int[] Identity(int count)
    {
        var order = new int[count];
        for (var i = 0; i < count; i++)
        {
            order[i] = i;
        }

        return order;
    }

    /// <summary>Fisher–Yates shuffle driven by the run's own generator, so an epoch order is reproducible.</summary>
    public static void Shuffle(int[] order, NoiseSource random)
    {
        for (var i = order.Length - 1; i > 0; i--)
        {
            var j = random.NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
    }
}
