using Edge.Trainer.Bench;
using Edge.Trainer.Training;
using FsCheck;
using FsCheck.Fluent;

namespace Edge.Trainer.Tests.Training;

public sealed class ImageScansTests
{
    [Fact]
    public async Task A_three_by_three_image_is_scanned_by_rows_columns_and_both_backwards()
    {
        var scans = new ImageScans(side: 3, scans: 4);
        float[] image = [0, 1, 2, 3, 4, 5, 6, 7, 8];
        var output = new float[36];

        await scans.ForwardAsync(image, 1, output, PassKind.Device, training: false,
            TestContext.Current.CancellationToken);

        float[] expected =
        [
            0, 1, 2, 3, 4, 5, 6, 7, 8,
            0, 3, 6, 1, 4, 7, 2, 5, 8,
            8, 7, 6, 5, 4, 3, 2, 1, 0,
            8, 5, 2, 7, 4, 1, 6, 3, 0,
        ];
        Assert.Equal(expected, output);
        Assert.Equal((9, 36), (scans.InputSize, scans.OutputSize));
    }

    [Fact]
    public void Backward_is_the_adjoint_of_forward_for_any_batch()
    {
        var batches = Gen.Choose(1, 3).SelectMany(batch => Gen.Choose(1, 4).SelectMany(count => Gen.Choose(-1000, 1000)
            .Select(v => v / 100f).ArrayOf(batch * (16 + (count * 16))).Select(values => (batch, count, values))))
                .ToArbitrary();
        Prop.ForAll(batches, sample =>
        {
            var (batch, count, values) = sample;
            var scans = new ImageScans(side: 4, scans: count);
            var image = values[..(batch * 16)];
            var outputGradient = values[(batch * 16)..];
            var output = new float[outputGradient.Length];
            scans.ForwardAsync(image, batch, output, PassKind.Twin, training: true,
                CancellationToken.None).AsTask().GetAwaiter().GetResult();

            // Stale values in the gradient buffer must be overwritten, not added to.
            var inputGradient = Enumerable.Repeat(99f, batch * 16).ToArray();
            scans.Backward(image, batch, outputGradient, inputGradient);

            // <scan(x), g> = <x, scanᵀ(g)>, up to the float rounding of the summed gradients.
            var left = output.Select((v, i) => (double)v * outputGradient[i]).Sum();
            var right = image.Select((v, i) => (double)v * inputGradient[i]).Sum();
            var scale = output.Select((v, i) => Math.Abs((double)v * outputGradient[i])).Sum();
            return Math.Abs(left - right) <= 1e-5 * (1 + scale);
        }).QuickCheckThrowOnFailure();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    public void Scan_counts_outside_one_to_four_are_refused(int count)
        => Assert.Contains("1 to 4 scan orders", Assert.Throws<ArgumentOutOfRangeException>(()
            => new ImageScans(14, count)).Message, StringComparison.Ordinal);

    [Fact]
    public void Pixel_drive_with_two_scans_plays_each_scan_through_its_own_layers()
    {
        var device = PixelDriveSystem.For("electronic").CreateDevice("edge-sim-0001", seed: 1);
        var model = PnnArchitectures.PixelDrive(device, 196, 10, layers: 2, scans: 2, maxBatch: 4, seed: 0);

        Assert.IsType<ImageScans>(model.Modules[0]);
        Assert.Equal(4, model.PhysicalLayers.Count);
        Assert.Equal(2 * 196, model.Modules[^1].InputSize);
        Assert.Equal(10, model.Modules[^1].OutputSize);

        // θ differ between the branches, so the two scans are not the same layer played twice.
        Assert.NotEqual(model.PhysicalLayers[0].Parameters[0].Value, model.PhysicalLayers[1].Parameters[0].Value);
    }

    [Fact]
    public void Bench_refuses_a_scan_count_it_cannot_play()
        => Assert.Contains("--scans must be 1 to 4", Assert.Throws<ArgumentException>(()
            => Cli.BenchCommand.ScanCount(7)).Message, StringComparison.Ordinal);
}
