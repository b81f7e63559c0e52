using Edge.Domain.Models;
using Edge.Domain.Simulation;
using Edge.Trainer.Export;

namespace Edge.Agent.Tests.Models;

/// <summary>The trainer reads a package back into the model and twin it was made from (field updates start
/// there).</summary>
public sealed class PackageImportTests(TrainedPackages packages)
{
    [Fact]
    public void An_imported_package_has_the_trained_parameters_and_twin()
    {
        var verified = ModelPackageReader.Read(packages.Package(packages.Trained, 4), packages.Trust);
        var device = PhysicalSystems.Get(TrainedPackages.System).CreateDevice("importer", 1);

        var model = ModelPackageImporter.ImportModel(verified, TrainedPackages.System, device, maxBatch: 64);
        var twin = ModelPackageImporter.ImportTwin(verified, device.Spec);

        Assert.Equal(packages.Trained.Parameters.Count, model.Parameters.Count);
        for (var i = 0; i < model.Parameters.Count; i++)
        {
            Assert.Equal(packages.Trained.Parameters[i].Value, model.Parameters[i].Value);
        }

        Assert.NotNull(twin);
        Assert.Equal(packages.Twin.Network.LayerSizes, twin.Network.LayerSizes);
        var drives = new float[3 * device.Spec.DriveLength];
        for (var i = 0; i < drives.Length; i++)
        {
            drives[i] = (float)Math.Sin(i);
        }

        var expected = new float[3 * device.Spec.OutputSize];
        var actual = new float[expected.Length];
        packages.Twin.Forward(drives, 3, expected, packages.Twin.CreateWorkspace(3));
        twin.Forward(drives, 3, actual, twin.CreateWorkspace(3));
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void A_package_that_does_not_fit_the_architecture_or_has_a_broken_stage_is_refused_naming_it()
    {
        var package = packages.Package(packages.Trained, 5);
        var verified = ModelPackageReader.Read(package, packages.Trust);
        var duffing = PhysicalSystems.Get("duffing").CreateDevice("importer", 1);
        var wrongSystem = Assert.ThrowsAny<Exception>(()
            => ModelPackageImporter.ImportModel(verified, "duffing", duffing, 64));
        Assert.True(wrongSystem is ModelPackageException or ArgumentException, wrongSystem.GetType().Name);

        var entries = PackageSurgery.Unzip(package);
        var stage = verified.Manifest.Stages.First(s => s.Kind == StageKind.Digital);
        byte[] garbage = [0x0a, 0xff, 0xff, 0xff];
        entries[stage.File!] = garbage;
        var resigned = PackageSurgery.Resign(
            PackageSurgery.Zip(entries),
            m => m
                with { Files = [.. m.Files.Select(f => f.Path == stage.File ? f with { Sha256 =
                    PackageSigning.Sha256Hex(garbage), Length = garbage.Length } : f)] },
            packages.Key);
        var broken = ModelPackageReader.Read(resigned, packages.Trust);
        var device = PhysicalSystems.Get(TrainedPackages.System).CreateDevice("importer", 1);
        var error = Assert.Throws<ModelPackageException>(()
            => ModelPackageImporter.ImportModel(broken, TrainedPackages.System, device, 64));
        Assert.Contains(stage.File!, error.Message, StringComparison.Ordinal);
    }
}
