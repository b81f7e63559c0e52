using System.CommandLine;
using Edge.Domain.Models;
using Edge.Trainer.Cli;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Edge.Trainer.Tests.Export;

public sealed class KeysAndCalibrationTests
{
    [Fact]
    public void Keygen_writes_a_key_pair_that_signs_and_verifies_and_never_overwrites()
    {
        var folder = Directory.CreateTempSubdirectory("edge-keygen-");
        try
        {
            var basePath = Path.Combine(folder.FullName, "trainer");
            Assert.Equal(0, KeygenCommand.Create().Parse(["--out", basePath]).Invoke());
            using var privateKey = PackageSigning.LoadPrivateKey(basePath + ".pem");
            using var publicKey = PackageSigning.LoadPublicKey(basePath + ".pub.pem");
            var signature = PackageSigning.Sign(privateKey, "manifest"u8);
            Assert.True(PackageSigning.Verify(publicKey, "manifest"u8, signature));
            Assert.False(PackageSigning.Verify(publicKey, "manifesT"u8, signature));
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(basePath + ".pem"));
            }

            var before = File.ReadAllText(basePath + ".pem");
            var invocation = new InvocationConfiguration { EnableDefaultExceptionHandler = false };
            var error = Assert.Throws<IOException>(()
                => KeygenCommand.Create().Parse(["--out", basePath]).Invoke(invocation));
            Assert.Contains("already exists", error.Message, StringComparison.Ordinal);
            Assert.Equal(before, File.ReadAllText(basePath + ".pem"));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Keygen_creates_missing_folders_prints_the_key_id_and_names_the_key_file_in_errors()
    {
        var folder = Directory.CreateTempSubdirectory("edge-keygen-");
        try
        {
            var basePath = Path.Combine(folder.FullName, "keys", "fleet", "trainer");
            var output = new StringWriter();
            var invocation = new InvocationConfiguration { Output = output, EnableDefaultExceptionHandler = false };
            Assert.Equal(0, KeygenCommand.Create().Parse(["--out", basePath]).Invoke(invocation));
            using var publicKey = PackageSigning.LoadPublicKey(basePath + ".pub.pem");
            var keyId = PackageSigning.KeyId(publicKey);
            Assert.Contains($"key id:      {keyId}", output.ToString(), StringComparison.Ordinal);

            // A folder that cannot be made: the error names the key file, never the temporary file written first.
            var blocker = Path.Combine(folder.FullName, "blocker");
            File.WriteAllText(blocker, "a file, not a folder");
            var blocked = Path.Combine(blocker, "trainer");
            var error = Assert.Throws<IOException>(
                () => KeygenCommand.Create().Parse(["--out", blocked]).Invoke(invocation));
            Assert.Contains($"Cannot write the key '{blocked}.pem'", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(".tmp", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Package_requires_a_target_device_or_fleet_and_validates_them()
    {
        Assert.Contains("--target-device ID", Refused(null, null), StringComparison.Ordinal);
        Assert.Contains("--target-device ID", Refused([], " "), StringComparison.Ordinal);
        Assert.Contains("device id 'a/b' is not valid", Refused(["a/b"], null), StringComparison.Ordinal);
        Assert.Contains("named twice", Refused(["rx-1", "rx-1"], null), StringComparison.Ordinal);
        var targets = PackageCommand.Targets(["rx-1"], " lab ");
        Assert.Equal(["rx-1"], targets.DeviceIds);
        Assert.Equal("lab", targets.Fleet);
    }

    private static string Refused(string[]? deviceIds, string? fleet)
        => Assert.Throws<ArgumentException>(() => PackageCommand.Targets(deviceIds, fleet)).Message;

    [Fact]
    public void Unreadable_keys_are_named_in_the_error()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "not a key");
            Assert.Contains(path, Assert.Throws<ModelPackageException>(()
                => PackageSigning.LoadPublicKey(path)).Message, StringComparison.Ordinal);
            Assert.Contains("missing.pem", Assert.Throws<ModelPackageException>(()
                => PackageSigning.LoadPrivateKey("/nonexistent/missing.pem")).Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Property(MaxTest = 100)]
    public Property Calibration_sets_round_trip_exactly_and_hash_their_bytes()
    {
        var sets =
            from features in Gen.Choose(1, 16)
            from count in Gen.Choose(1, 20)
            from labels in Gen.ArrayOf(Gen.Elements("ae", "ah", "uw", "iy"), count)
            from values in Gen.ArrayOf(Gen.Choose(-1_000_000, 1_000_000).Select(v => v / 977f), count * features)
            select (features, labels, values);
        return Prop.ForAll(sets.ToArbitrary(), s =>
        {
            var bytes = CalibrationSet.Format(s.labels, s.values, s.features);
            var parsed = CalibrationSet.Parse(bytes, "set.csv");
            Assert.Equal(s.labels, parsed.Labels);
            Assert.Equal(s.features, parsed.FeatureCount);
            for (var i = 0; i < s.labels.Length; i++)
            {
                Assert.Equal(s.values.AsSpan(i * s.features, s.features), parsed.Row(i));
            }

            Assert.Equal(PackageSigning.Sha256Hex(bytes), parsed.Sha256);
        });
    }

    [Theory]
    [InlineData("f1,f2\nae,1,2\n", "set.csv:1: expected a header")]
    [InlineData("label,f1,f2\nae,1\n", "set.csv:2: expected a class name and 2 features")]
    [InlineData("label,f1\nae,NaN\n", "set.csv:2: field 2 'NaN' is not a finite number")]
    [InlineData("label,f1\n", "holds no examples")]
    public void Malformed_calibration_files_name_the_line(string text, string message)
    {
        var error = Assert.Throws<InvalidDataException>(()
            => CalibrationSet.Parse(System.Text.Encoding.UTF8.GetBytes(text), "set.csv"));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
