using Edge.Domain.Models;

namespace Edge.Agent.Tests.Models;

/// <summary>Build → sign → verify, and every way a package can be bad is refused with a message naming it.</summary>
public sealed class ModelPackageTests(TrainedPackages packages)
{
    private byte[] Good => packages.Package(packages.Trained, version: 1);

    private ModelPackageException Refused(byte[] package)
        => Assert.Throws<ModelPackageException>(() => ModelPackageReader.Read(package, packages.Trust));

    [Fact]
    public void A_signed_package_verifies_and_describes_the_hybrid_model()
    {
        var verified = ModelPackageReader.Read(Good, packages.Trust);
        var manifest = verified.Manifest;
        Assert.Equal(1, manifest.ModelVersion);
        Assert.Equal(["digital", "physical", "digital", "physical", "digital"],
            manifest.Stages.Select(s => s.Kind.ToString().ToLowerInvariant()));
        Assert.Equal(packages.Trained.PhysicalLayers[1].Theta.Value, manifest.Stages[3].Theta);
        Assert.Equal(PackageSigning.Sha256Hex(packages.Calibration), manifest.CalibrationSha256);
        Assert.NotNull(manifest.Twin);
        Assert.Equal(4, manifest.Files.Count);
        foreach (var file in manifest.Files)
        {
            Assert.Equal(file.Sha256, PackageSigning.Sha256Hex(verified.File(file.Path).Span));
        }
    }

    [Fact]
    public void Flipping_a_byte_of_any_file_is_detected_and_names_the_file()
    {
        var good = Good;
        foreach (var name in PackageSurgery.Unzip(good).Keys)
        {
            var entries = PackageSurgery.Unzip(good);
            entries[name][entries[name].Length / 2] ^= 0x01;
            var error = Refused(PackageSurgery.Zip(entries));
            var expected = name switch
            {
                // The manifest's header is parsed (bounded) before its signature is checked: a flip may break the JSON.
                ModelPackageLayout.ManifestEntry => ["signature does not verify", "not valid JSON"],
                ModelPackageLayout.SignatureEntry => ["signature does not verify"],
                _ => new[] { $"'{name}' does not match its SHA-256" },
            };
            Assert.Contains(expected, e => error.Message.Contains(e, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void A_package_signed_with_another_key_is_refused()
    {
        var error = Refused(packages.Package(packages.Trained, 1, key: packages.OtherKey));
        Assert.Contains($"signed with key {PackageSigning.KeyId(packages.OtherKey)}, which is not in this agent's "
            + "trust set", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Truncated_or_non_zip_bytes_are_refused()
    {
        var good = Good;
        foreach (var length in new[] { 0, 10, good.Length / 2, good.Length - 5 })
        {
            Assert.Contains("not a readable zip", Refused(good[..length]).Message, StringComparison.Ordinal);
        }

        Assert.Contains("not a readable zip", Refused("hello"u8.ToArray()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_or_unlisted_file_is_refused()
    {
        var entries = PackageSurgery.Unzip(Good);
        var onnx = entries.Keys.First(k => k.EndsWith(".onnx", StringComparison.Ordinal));
        entries.Remove(onnx);
        Assert.Contains($"'{onnx}' listed in the manifest is missing", Refused(PackageSurgery.Zip(entries)).Message,
            StringComparison.Ordinal);

        entries = PackageSurgery.Unzip(Good);
        entries["extra.bin"] = [1, 2, 3];
        Assert.Contains("'extra.bin' is not listed", Refused(PackageSurgery.Zip(entries)).Message,
            StringComparison.Ordinal);

        entries = PackageSurgery.Unzip(Good);
        entries.Remove(ModelPackageLayout.SignatureEntry);
        Assert.Contains("no 'manifest.sig'", Refused(PackageSurgery.Zip(entries)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_schema_version_is_refused_even_when_properly_signed()
    {
        var package = PackageSurgery.ResignJson(Good,
            json => json.Replace("\"schemaVersion\": 4", "\"schemaVersion\": 5", StringComparison.Ordinal),
                packages.Key);
        Assert.Contains("schema version 5 is unknown", Refused(package).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Theta_outside_its_range_is_refused_naming_the_parameter()
    {
        var package = PackageSurgery.Resign(Good,
            m => WithStage(m, 1,
                s => s
                    with { Theta =
                        [.. s.Theta!.Select((t, i) => i == 2 ? (float)s.Spec!.ParameterRanges[2].Hi + 1 : t)] }),
                            packages.Key);
        Assert.Contains("theta[2]", Refused(package).Message, StringComparison.Ordinal);

        package = PackageSurgery.Resign(Good,
            m => WithStage(m, 3,
                s => s
                    with { Theta =
                        [.. s.Theta!.Select((t, i) => i == 0 ? (float)s.Spec!.ParameterRanges[0].Lo - 0.01f : t)] }),
                            packages.Key);
        Assert.Contains("Stage 3 'physical2': theta[0]", Refused(package).Message, StringComparison.Ordinal);

        package = PackageSurgery.Resign(Good, m => WithStage(m, 3, s => s with { Theta = [1f] }), packages.Key);
        Assert.Contains("1 theta values", Refused(package).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_spec_that_fails_validation_is_refused_naming_the_field()
    {
        var package = PackageSurgery.Resign(Good,
            m => WithStage(m, 1, s => s with { Spec = s.Spec! with { Adc = s.Spec.Adc with { Bins = 3 } } }),
                packages.Key);
        var error = Refused(package);
        Assert.Contains("Stage 1 'physical1'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'adc.bins'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_broken_stage_chain_is_refused()
    {
        var package = PackageSurgery.Resign(Good, m => WithStage(m, 2, s => s with { InputSize = 5 }), packages.Key);
        Assert.Contains("Stage 2", Refused(package).Message, StringComparison.Ordinal);

        package = PackageSurgery.Resign(Good, m => m with { ClassLabels = ["a", "b"] }, packages.Key);
        Assert.Contains("names 2 classes", Refused(package).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_wide_hybrid_packages_each_bank_as_one_stage_and_a_bank_needs_schema_three()
    {
        var wide = packages.Package(packages.Wide, version: 1);
        var manifest = ModelPackageReader.Read(wide, packages.Trust).Manifest;

        Assert.Equal(ModelManifest.CurrentSchemaVersion, manifest.SchemaVersion);
        Assert.Equal(["digital", "physical", "digital", "physical", "digital"],
            manifest.Stages.Select(s => s.Kind.ToString().ToLowerInvariant()));
        Assert.Equal((2, 24, 24),
            (manifest.Stages[3].BranchCount, manifest.Stages[3].InputSize, manifest.Stages[3].OutputSize));
        Assert.Equal(packages.Wide.PhysicalLayers[2].Theta.Value.Concat(packages.Wide.PhysicalLayers[3].Theta.Value),
            manifest.Stages[3].Theta);

        // A store re-opening an old package reads schemas 1 to 3, where a bank still needs schema 3.
        var package = PackageSurgery.ResignJson(wide,
            json => json.Replace("\"schemaVersion\": 4", "\"schemaVersion\": 2", StringComparison.Ordinal),
                packages.Key);
        var legacy = Assert.Throws<ModelPackageException>(()
            => ModelPackageReader.Read(package, packages.Trust, requireTargets: false));
        Assert.Contains("needs manifest schema 3", legacy.Message, StringComparison.Ordinal);
        Assert.Contains("new installs need version 4", Refused(package).Message, StringComparison.Ordinal);

        package = PackageSurgery.Resign(wide, m => WithStage(m, 1, s => s with { Branches = 3 }), packages.Key);
        Assert.Contains("Stage 1 'physical1' declares 24→24 but 3 × spec", Refused(package).Message,
            StringComparison.Ordinal);

        package = PackageSurgery.Resign(wide, m => WithStage(m, 1, s => s with { Branches = 0 }), packages.Key);
        Assert.Contains("a bank has 1 to 256", Refused(package).Message, StringComparison.Ordinal);

        package = PackageSurgery.Resign(wide, m => WithStage(m, 3, s => s with { Theta = [.. s.Theta!.Take(12)] }),
            packages.Key);
        Assert.Contains("12 theta values; 2 × spec", Refused(package).Message, StringComparison.Ordinal);

        // θ of the second branch are checked against the same ranges as the first.
        package = PackageSurgery.Resign(wide,
            m => WithStage(m, 3,
                s => s
                    with { Theta =
                        [.. s.Theta!.Select((t, i) => i == 14 ? (float)s.Spec!.ParameterRanges[2].Hi + 1 : t)] }),
                            packages.Key);
        Assert.Contains("theta[14]", Refused(package).Message, StringComparison.Ordinal);
    }

    private static ModelManifest WithStage(ModelManifest manifest, int index, Func<ModelStage, ModelStage> edit)
        => manifest with { Stages = [.. manifest.Stages.Select((s, i) => i == index ? edit(s) : s)] };
}
