using System.Security.Cryptography;
using Edge.Domain.Models;

namespace Edge.Domain.Tests.Models;

/// <summary>
/// Key ids, the trust set (rotation and revocation) and the signed binding of a package to its key and targets.
/// </summary>
public sealed class PackageTrustTests : IDisposable
{
    private readonly ECDsa _key = PackageSigning.CreateKey();
    private readonly ECDsa _other = PackageSigning.CreateKey();
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("edge-trust-");

    [Fact]
    public void A_key_id_is_16_hex_digits_of_the_public_key_and_the_same_for_both_halves()
    {
        var id = PackageSigning.KeyId(_key);
        Assert.Matches("^[0-9a-f]{16}$", id);
        Assert.Equal(id, Convert.ToHexStringLower(SHA256.HashData(_key.ExportSubjectPublicKeyInfo()))[..16]);
        using var publicHalf = PackageSigning.PublicKeyOf(_key);
        Assert.Equal(id, PackageSigning.KeyId(publicHalf));
        Assert.NotEqual(id, PackageSigning.KeyId(_other));
    }

    [Fact]
    public void A_package_names_its_key_and_verifies_with_the_trust_set()
    {
        using var trust = TrustedKeys.Of(PackageSigning.PublicKeyOf(_key));
        var verified = ModelPackageReader.Read(TestPackages.Write(_key), trust);
        Assert.Equal(PackageSigning.KeyId(_key), verified.Manifest.KeyId);
        Assert.Equal(PackageSigning.KeyId(_key), verified.KeyId);
        Assert.Equal(ModelManifest.CurrentSchemaVersion, verified.Manifest.SchemaVersion);
        Assert.Equal([TestPackages.DeviceId], verified.Manifest.Targets!.DeviceIds);
        Assert.Equal(TestPackages.Onnx, verified.File(TestPackages.OnnxPath).ToArray());
    }

    [Fact]
    [Trait("Category", "Security")]
    public void A_package_signed_with_an_untrusted_key_is_refused_naming_the_key()
    {
        using var trust = TrustedKeys.Of(PackageSigning.PublicKeyOf(_key));
        var error = Assert.Throws<ModelPackageException>(
            () => ModelPackageReader.Read(TestPackages.Write(_other), trust));
        Assert.Contains(
            $"key {PackageSigning.KeyId(_other)}, which is not in this agent's trust set",
            error.Message,
            StringComparison.Ordinal);
        SecurityReport.Record(
            "pkg-untrusted-key",
            "Package signed with a key the agent does not trust",
            Repeat(nameof(A_package_signed_with_an_untrusted_key_is_refused_naming_the_key)),
            "refused naming the key id",
            error.Message,
            error.Message.Contains("not in this agent's trust set", StringComparison.Ordinal));
    }

    [Fact]
    [Trait("Category", "Security")]
    public void An_unsigned_package_is_refused()
    {
        using var trust = TrustedKeys.Of(PackageSigning.PublicKeyOf(_key));
        var unsigned = TestPackages.RawZip(TestPackages.Entries(TestPackages.Write(_key))
            .Where(e => e.Name != ModelPackageLayout.SignatureEntry));

        var error = ReadRefused(unsigned, trust);

        Assert.Contains($"no '{ModelPackageLayout.SignatureEntry}'", error, StringComparison.Ordinal);
        SecurityReport.Record(
            "pkg-unsigned",
            "Unsigned package: a valid package with its signature entry removed",
            Repeat(nameof(An_unsigned_package_is_refused)),
            "refused: no signature",
            error,
            error.Contains($"no '{ModelPackageLayout.SignatureEntry}'", StringComparison.Ordinal));
    }

    [Fact]
    [Trait("Category", "Security")]
    public void Rotation_accepts_packages_of_either_key_and_revocation_wins_over_a_present_key()
    {
        var oldPath = WritePublic("old.pub.pem", _key);
        var newPath = WritePublic("new.pub.pem", _other);
        using (var both = TrustedKeys.Load([oldPath, newPath], []))
        {
            Assert.Equal(PackageSigning.KeyId(_key), ModelPackageReader.Read(TestPackages.Write(_key), both).KeyId);
            Assert.Equal(PackageSigning.KeyId(_other), ModelPackageReader.Read(TestPackages.Write(_other), both).KeyId);
            Assert.Equal(
                new[] { PackageSigning.KeyId(_key), PackageSigning.KeyId(_other) }.Order(StringComparer.Ordinal),
                both.KeyIds);
        }

        var revokedId = PackageSigning.KeyId(_key);
        using var rotated = TrustedKeys.Load([oldPath, newPath], [revokedId.ToUpperInvariant()]);
        Assert.True(rotated.IsRevoked(revokedId));
        Assert.False(rotated.IsTrusted(revokedId));
        Assert.True(rotated.IsTrusted(PackageSigning.KeyId(_other)));
        Assert.Equal([PackageSigning.KeyId(_other)], rotated.KeyIds);
        var error = Assert.Throws<ModelPackageException>(
            () => ModelPackageReader.Read(TestPackages.Write(_key), rotated));
        Assert.Contains($"key {revokedId}, which this agent lists as revoked", error.Message, StringComparison.Ordinal);
        var successor = ModelPackageReader.Read(TestPackages.Write(_other), rotated).KeyId;
        Assert.Equal(PackageSigning.KeyId(_other), successor);
        SecurityReport.Record(
            "pkg-revoked-key",
            "Package signed by a key that is still configured but listed as revoked (key rotation)",
            Repeat(nameof(Rotation_accepts_packages_of_either_key_and_revocation_wins_over_a_present_key)),
            "refused: revocation wins; packages of the new key still install",
            $"{error.Message}; new key {successor} accepted",
            error.Message.Contains("revoked", StringComparison.Ordinal) && successor == PackageSigning.KeyId(_other));
    }

    [Fact]
    public void A_bad_trust_set_is_refused_naming_the_file_or_id()
    {
        var good = WritePublic("good.pub.pem", _key);
        var copy = WritePublic("copy.pub.pem", _key);
        var garbage = Path.Combine(_folder.FullName, "garbage.pem");
        File.WriteAllText(garbage, "not a key");
        var privateKey = Path.Combine(_folder.FullName, "trainer.pem");
        File.WriteAllText(privateKey, _key.ExportPkcs8PrivateKeyPem());
        var missing = Path.Combine(_folder.FullName, "missing.pem");

        Assert.Contains(garbage, LoadRefused([good, garbage], []), StringComparison.Ordinal);
        Assert.Contains(missing, LoadRefused([missing], []), StringComparison.Ordinal);
        Assert.Contains($"'{privateKey}' holds a private key", LoadRefused([privateKey], []), StringComparison.Ordinal);
        var duplicate = LoadRefused([good, copy], []);
        Assert.Contains(copy, duplicate, StringComparison.Ordinal);
        Assert.Contains($"already loaded from '{good}'", duplicate, StringComparison.Ordinal);
        Assert.Contains("Revoked key id 'abc' is not a key id", LoadRefused([good], ["abc"]), StringComparison.Ordinal);
        Assert.Contains("Revoked key id", LoadRefused([good], ["zz23456789abcdef"]), StringComparison.Ordinal);
        Assert.Contains(
            "Every configured public key is revoked",
            LoadRefused([good], [PackageSigning.KeyId(_key)]),
            StringComparison.Ordinal);
        Assert.Contains("No public key is configured", LoadRefused([], []), StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(
            () => TrustedKeys.Of(PackageSigning.PublicKeyOf(_key), PackageSigning.PublicKeyOf(_key)));
    }

    [Fact]
    [Trait("Category", "Security")]
    public void A_manifest_naming_one_trusted_key_but_signed_by_another_is_refused()
    {
        using var trust = TrustedKeys.Of(PackageSigning.PublicKeyOf(_key), PackageSigning.PublicKeyOf(_other));
        var package = TestPackages.Forge(TestPackages.SignedBy(_key), _other);
        var error = Assert.Throws<ModelPackageException>(() => ModelPackageReader.Read(package, trust));
        Assert.Contains(
            $"does not verify with trusted key {PackageSigning.KeyId(_key)}", error.Message, StringComparison.Ordinal);

        var noKeyId = TestPackages.Forge(TestPackages.Manifest(), _key);
        var missing = ReadRefused(noKeyId, trust);
        Assert.Contains("Manifest has no 'keyId'", missing, StringComparison.Ordinal);
        SecurityReport.Record(
            "pkg-key-id-mismatch",
            "Key-id mismatch: the manifest names trusted key A but is signed by trusted key B; and no key id at all",
            Repeat(nameof(A_manifest_naming_one_trusted_key_but_signed_by_another_is_refused)),
            "both refused",
            $"{error.Message} / {missing}",
            error.Message.Contains("does not verify", StringComparison.Ordinal)
                && missing.Contains("no 'keyId'", StringComparison.Ordinal));
    }

    [Fact]
    [Trait("Category", "Security")]
    public void Targets_are_required_valid_and_match_by_device_id_or_fleet()
    {
        using var trust = TrustedKeys.Of(PackageSigning.PublicKeyOf(_key));
        var untargeted = TestPackages.Forge(TestPackages.SignedBy(_key) with { Targets = null }, _key);
        Assert.Contains("Manifest has no 'targets'", ReadRefused(untargeted, trust), StringComparison.Ordinal);
        var empty = TestPackages.Forge(TestPackages.SignedBy(_key) with { Targets = new ModelTargets([]) }, _key);
        Assert.Contains("name at least one device id or a fleet", ReadRefused(empty, trust), StringComparison.Ordinal);
        var badId = TestPackages.Forge(TestPackages.SignedBy(_key) with { Targets = new ModelTargets([
            "rx/01"]) }, _key);
        Assert.Contains("device id 'rx/01' is not valid", ReadRefused(badId, trust), StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => TestPackages.Write(_key, new ModelTargets([])));
        Assert.Throws<ArgumentException>(() => TestPackages.Write(_key, new ModelTargets(["_hidden"])));

        var byId = ModelPackageReader.Read(TestPackages.Write(_key, new ModelTargets([
            "rx-01", "rx-02"])), trust).Manifest.Targets!;
        Assert.True(byId.Includes("rx-02", fleet: null));
        Assert.False(byId.Includes("rx-03", fleet: "lab"));
        Assert.False(byId.Includes("rx_01", fleet: null));

        var byFleet = ModelPackageReader.Read(TestPackages.Write(_key, new ModelTargets([],
            "vowel-boards")), trust).Manifest.Targets!;
        Assert.True(byFleet.Includes("any-device", "vowel-boards"));
        Assert.False(byFleet.Includes("any-device", "other-boards"));
        Assert.False(byFleet.Includes("any-device", fleet: null));
        var unnamed = ReadRefused(untargeted, trust);
        SecurityReport.Record(
            "pkg-no-target",
            "Package naming no target (replayable to any device), or naming other devices or another fleet",
            Repeat(nameof(Targets_are_required_valid_and_match_by_device_id_or_fleet)),
            "untargeted refused; targets match only the named devices or fleet",
            $"{unnamed}; rx-03 matched by [rx-01, rx-02]: {byId.Includes("rx-03", "lab")}; "
                + $"fleet other-boards matched by vowel-boards: {byFleet.Includes("any-device", "other-boards")}",
            unnamed.Contains("no 'targets'", StringComparison.Ordinal)
                && !byId.Includes("rx-03", "lab") && !byFleet.Includes("any-device", "other-boards"));
    }

    [Fact]
    public void Older_schemas_are_refused_for_installs_and_read_only_to_reopen_an_installed_package()
    {
        using var trust = TrustedKeys.Of(PackageSigning.PublicKeyOf(_key));
        var legacy = TestPackages.Forge(TestPackages.Manifest() with { SchemaVersion = 1, Targets = null }, _key);
        var error = Assert.Throws<ModelPackageException>(() => ModelPackageReader.Read(legacy, trust));
        Assert.Contains(
            "schema version 1 names neither its signing key nor its target devices",
            error.Message,
            StringComparison.Ordinal);
        Assert.Equal(1, ModelPackageReader.Read(legacy, trust, requireTargets: false).Manifest.SchemaVersion);

        using var otherTrust = TrustedKeys.Of(PackageSigning.PublicKeyOf(_other));
        Assert.Contains(
            "does not verify with any trusted key",
            ReadRefused(legacy, otherTrust, requireTargets: false),
            StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _key.Dispose();
        _other.Dispose();
        _folder.Delete(recursive: true);
    }

    private static string Repeat(string test) => SecurityReport.TestCommand("Edge.Domain.Tests", test);

    private static string LoadRefused(string[] paths, string[] revoked)
        => Assert.Throws<ModelPackageException>(() => TrustedKeys.Load(paths, revoked)).Message;

    private static string ReadRefused(byte[] package, TrustedKeys trust, bool requireTargets = true)
        => Assert.Throws<ModelPackageException>(() => ModelPackageReader.Read(package, trust, requireTargets)).Message;

    private string WritePublic(string name, ECDsa key)
    {
        var path = Path.Combine(_folder.FullName, name);
        File.WriteAllText(path, key.ExportSubjectPublicKeyInfoPem());
        return path;
    }
}
