using Edge.Domain.Simulation;

namespace Edge.Benchmarks;

/// <summary>The drives the system benchmarks play: uniform in [-1, 1], the same for a seed on every run.</summary>
internal static class BenchDrives
{
    /// <summary><paramref name="count"/> drive samples drawn from a <see cref="NoiseSource"/> seeded with
    /// <paramref name="seed"/>.</summary>
    public static float[] Uniform(int count, ulong seed = 1)
    {
        var noise = new NoiseSource(seed);
        var drives = new float[count];
        for (var i = 0; i < drives.Length; i++)
        {
            drives[i] = (float)noise.NextUniform(-1, 1);
        }

        return drives;
    }
}
