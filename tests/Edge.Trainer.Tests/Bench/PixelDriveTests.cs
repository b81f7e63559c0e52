using Edge.Domain.Data;
using Edge.Domain.Simulation;
using Edge.Domain.Simulation.Electronic;
using Edge.Domain.Specs;
using Edge.Trainer.Bench;
using Edge.Trainer.Recipes;
using Edge.Trainer.Training;
using Edge.Trainer.Twins;

namespace Edge.Trainer.Tests.Bench;

/// <summary>MNIST encoded as the paper did: every pixel a drive segment of the electronic or mechanical part.</summary>
public sealed class PixelDriveTests
{
    [Fact]
    public void Every_pixel_is_a_drive_segment_with_a_parameter_after_every_four()
    {
        var spec = PixelDriveSystem.For("electronic").Spec;

        Assert.Equal((MnistDataset.FeatureCount, 49, 196, 245),
            (spec.InputSize, spec.ParameterSize, spec.OutputSize, spec.DriveLength));
        for (var s = 0; s < spec.DriveLength; s++)
        {
            var slot = spec.DriveLayout[s];
            Assert.Equal(s % 5 == 4 ? new DriveSlot(DriveSlotKind.Parameter, s / 5)
                : new DriveSlot(DriveSlotKind.Input, s - (s / 5)), slot);
        }

        Assert.Equal(ElectronicSystem.LayerSpec.Dac, spec.Dac);
        Assert.Same(spec, spec.Validate());
    }

    [Theory]
    [InlineData("electronic")]
    [InlineData("mechanical")]
    public void The_pixel_drive_is_the_same_part_with_shorter_noisier_bins(string name)
    {
        var standard = PhysicalSystems.Get(name);
        var pixels = PixelDriveSystem.For(name);
        var standardPart = standard.CreateDevice("edge-sim-0001", seed: 1);
        var pixelPart = pixels.CreateDevice("edge-sim-0001", seed: 1);

        Assert.Equal(standardPart.PartCoefficients, pixelPart.PartCoefficients);
        Assert.Equal(name, pixels.Name);

        // 5 ADC samples per bin instead of the standard layer's (8 electronic, 96 mechanical): noise grows as 1/√n.
        var standardSamples = (double)standard.Spec.DriveLength * standard.Spec.Dac.SamplesPerSegment
            / standard.Spec.OutputSize;
        Assert.Equal(standard.DefaultImperfections.ReadoutNoise * Math.Sqrt(standardSamples / 5),
            pixels.DefaultImperfections.ReadoutNoise, 12);
        Assert.Equal(standard.DefaultImperfections.DriveNoise, pixels.DefaultImperfections.DriveNoise);
    }

    [Fact]
    public void Optical_has_no_pixel_drive_and_auto_picks_its_hybrid()
    {
        Assert.Contains("not 'optical'", Assert.Throws<ArgumentException>(()
            => PixelDriveSystem.For("optical")).Message, StringComparison.Ordinal);
        Assert.Equal(PnnArchitecture.Wide, PnnArchitectureNames.Resolve(PnnArchitecture.Auto, "mnist", "optical"));
        Assert.Equal(PnnArchitecture.PixelDrive,
            PnnArchitectureNames.Resolve(PnnArchitecture.Auto, "MNIST", "mechanical"));
        Assert.Equal(PnnArchitecture.Standard,
            PnnArchitectureNames.Resolve(PnnArchitecture.Auto, "fsdd", "electronic"));
        Assert.Equal(PnnArchitecture.Wide, PnnArchitectureNames.Resolve(PnnArchitecture.Wide, "fsdd", "electronic"));
        Assert.Contains("Valid architectures: auto, standard, wide, pixel-drive", Assert.Throws<ArgumentException>(()
            => PnnArchitectureNames.Parse("cnn")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mnist_pixels_as_drive_segments_are_learned_with_pat_on_the_electronic_part()
    {
        var cancellation = TestContext.Current.CancellationToken;
        var task = MnistDataset.Load(maxPerSplit: 800);
        var system = PixelDriveSystem.For("electronic");
        var dataDevice = system.CreateDevice("edge-sim-0001", seed: 1_000_003);
        dataDevice.MaxDegreeOfParallelism = 2;
        var data = await TwinData.CollectAsync(dataDevice,
            new TwinDataOptions { Samples = 1_500, NoiseFloorSamples = 100 }, seed: 17,
                cancellationToken: cancellation);
        var twin = GrayBoxFitter.Fit(system.Physics, data, new GrayBoxOptions { Epochs = 2, Threads = 2 }, seed: 23,
            cancellationToken: cancellation);
        Assert.True(twin.ValidationNmse < 0.05, $"gray-box twin NMSE {twin.ValidationNmse}");

        var device = system.CreateDevice("edge-sim-0001", seed: 3);
        device.MaxDegreeOfParallelism = 2;
        var pipeline = new TrainingPipeline(new TrainingRecipe { Task = "mnist", System = "electronic" }, 2,
            task: task);
        var model = pipeline.BuildNetwork(device, TrainingMode.Pat, 0);
        Assert.Equal(2, model.PhysicalLayers.Count);
        Assert.IsType<ElementwiseAffine>(model.Modules[0]);

        var training = new TrainingOptions { Epochs = 3, EvaluationPasses = 1, CurveEvery = 0 };
        var result = await PnnTrainer.TrainAsync(model, task, TrainingMode.Pat, twin.Twin, data, training, 0,
            cancellationToken: cancellation);

        // 800 training images, 3 epochs; chance is 10 %.
        Assert.True(result.TestAccuracy > 0.7, $"PAT on the pixel drive reached only {result.TestAccuracy:P1}");
        Assert.Equal(2L * ((3 * 800) + 800), result.DrivesSent);
    }
}
