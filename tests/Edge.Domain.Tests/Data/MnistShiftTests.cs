using Edge.Domain.Data;

namespace Edge.Domain.Tests.Data;

public sealed class MnistShiftTests
{
    [Fact]
    public void Every_image_gets_four_copies_moved_by_one_pixel_with_a_black_edge()
    {
        var image = new float[MnistDataset.FeatureCount];
        image[(5 * 14) + 7] = 0.5f;
        image[(0 * 14) + 3] = 1f;
        var set = new LabelledSet([.. image, .. new float[MnistDataset.FeatureCount]], [4, 9],
            MnistDataset.FeatureCount);

        var shifted = MnistDataset.WithShiftedCopies(set);

        Assert.Equal(10, shifted.Count);
        Assert.Equal([4, 9, 4, 9, 4, 9, 4, 9, 4, 9], shifted.Labels);
        Assert.Equal(image, shifted.Row(0).ToArray());

        // Up: row 5 → 4, and the pixel in row 0 falls off the top. Down: row 5 → 6, row 0 → 1.
        AssertOnly(shifted.Row(2), ((4 * 14) + 7, 0.5f));
        AssertOnly(shifted.Row(4), ((6 * 14) + 7, 0.5f), ((1 * 14) + 3, 1f));

        // Left: column 7 → 6, column 3 → 2. Right: column 7 → 8, column 3 → 4.
        AssertOnly(shifted.Row(6), ((5 * 14) + 6, 0.5f), ((0 * 14) + 2, 1f));
        AssertOnly(shifted.Row(8), ((5 * 14) + 8, 0.5f), ((0 * 14) + 4, 1f));
        Assert.All(shifted.Row(9).ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void A_set_that_is_not_fourteen_by_fourteen_is_refused()
        => Assert.Contains("need 14×14 images", Assert.Throws<ArgumentException>(()
            => MnistDataset.WithShiftedCopies(new LabelledSet(new float[12], [0], 12))).Message,
                StringComparison.Ordinal);

    private static void AssertOnly(ReadOnlySpan<float> row, params (int Index, float Value)[] expected)
    {
        var want = new float[row.Length];
        foreach (var (index, value) in expected)
        {
            want[index] = value;
        }

        Assert.Equal(want, row.ToArray());
    }
}
