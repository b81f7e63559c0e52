using System.Globalization;
using Edge.Domain.Models;
using Edge.Tests.Shared.Commissioning;
using Edge.Tests.Shared.Faults;
using Edge.Trainer.Live;
using Edge.Trainer.Live.Commissioning;
using Edge.Trainer.Recipes;

namespace Edge.Integration.Tests;

/// <summary>
/// Commissioning a spoken-digit product line onto a second part, the way the vowel line is commissioned
/// (<see cref="CommissioningTests"/>): mosquitto with the shipped configuration, an <c>edge-agent run</c> per part with
/// the digit package (device-statistics front end) installed, and the trainer's commissioning over MQTT — the part's
/// own twin, a PAT fine-tune through its agent, a package signed for it that its agent validates and activates.
/// </summary>
public sealed class DigitCommissioningTests
{
    // The part on which product-line models trained on sim-0001 lose most (docs/benchmarks-notes.md).
    private const string NewPart = "edge-sim-0001";

    // A short digit recipe: exact gradients of the trained part, the shipped device-statistics front end.
    private static readonly TrainingRecipe Digits = WithFrontEnd(new()
    {
        Task = "fsdd",
        System = FaultAgent.System,
        Part = CommissionField.TrainedPart,
        Features = "device",
        Mode = "ideal",
        Epochs = 10,
        TwinSamples = 2_000,
        TwinNoiseFloorSamples = 100,
        TwinEpochs = 10,
        TwinHalvingEpochs = 5,
    });

    [Fact]
    public async Task A_digit_package_commissioned_onto_a_second_part_recovers_its_calibration_accuracy()
    {
        using var folder = new TempFolder();
        var token = TestContext.Current.CancellationToken;
        await using var field = await CommissionField.StartAsync(
            folder.Path("field"), FaultExecutables.BesideThisAssembly(), [NewPart],
            ProductLine.Benched(Digits, "digit-line"));
        await field.WaitForAgentAsync(CommissionField.TrainedPart, TimeSpan.FromSeconds(90), token);
        await field.WaitForAgentAsync(NewPart, TimeSpan.FromSeconds(90), token);
        var trained = await field.AccuracyAsync(CommissionField.TrainedPart, field.ProductLinePackage, 1, token);
        var before = await field.AccuracyAsync(NewPart, field.ProductLinePackage, 1, token);

        await using var store = await MeasurementStore.OpenAsync(field.StorePath, token);
        using var key = field.LoadKey();
        using var trust = TrustedKeys.Of(PackageSigning.PublicKeyOf(key));
        var record = await field.Commissioning(store, key, trust).CommissionAsync(NewPart, activeVersion: 1, token);
        Assert.True(record.State == CommissioningState.Commissioned, record.Detail);
        var after = await field.AccuracyAsync(NewPart, field.CommissionedPackage(NewPart, record.Version!.Value), 1,
            token);
        TestContext.Current.TestOutputHelper?.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"trained part {trained:P1}; {NewPart} before {before:P1}, after {after:P1}; {record.Detail}"));

        // The new part costs the product-line model points, and commissioning wins them back on the calibration set.
        Assert.True(before < trained - 0.03, $"{NewPart} lost too little to show a recovery: {before:P1}/{trained:P1}");
        Assert.True(after > before + 0.03, $"Commissioning did not recover {NewPart}: {before:P1} -> {after:P1}");
        Assert.True(after >= trained - 0.01, $"{NewPart} ended below the trained part: {after:P1}/{trained:P1}");
        var offered = ModelPackageReader.Read(
            await File.ReadAllBytesAsync(field.CommissionedPackage(NewPart, record.Version.Value), token), trust);
        Assert.Equal(ModelInput.AudioMfcc, offered.Manifest.Input.Encoding);
        Assert.Equal([NewPart], offered.Manifest.Targets?.DeviceIds ?? []);
    }

    private static TrainingRecipe WithFrontEnd(TrainingRecipe recipe) =>
        recipe with { FrontEnd = recipe.ResolvedFrontEnd() };
}
