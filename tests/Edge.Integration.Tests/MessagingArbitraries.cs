using Edge.Domain.Messaging;

namespace Edge.Integration.Tests;

/// <summary>Deterministic test payloads.</summary>
public static class MessagingArbitraries
{
    public static MeasurementBatch Batch(int count, ulong seed, int inputSize = 3, int driveLength = 5,
        int outputSize = 2)
    {
        var random = new Random((int)seed);
        var ids = new Guid[count];
        var timestamps = new long[count];
        for (var i = 0; i < count; i++)
        {
            ids[i] = Guid.NewGuid();
            timestamps[i] = 1_700_000_000_000 + i;
        }

        float[] Values(int n) => Enumerable.Range(0, n).Select(_ => (float)random.NextDouble()).ToArray();
        return new MeasurementBatch(inputSize, driveLength, outputSize, ids, timestamps, Values(count * inputSize),
            Values(count * driveLength), Values(count * outputSize));
    }
}
