using System.Security.Cryptography;
using System.Text;
using Edge.Domain.Models;

namespace Edge.Domain.Tests.Models;

/// <summary>
/// Hostile containers are refused by their declared sizes or at the cap, before anything unauthenticated is inflated:
/// size, entry count, manifest and signature sizes, entries that inflate past their declared length, truncation,
/// unlisted entries and repeated JSON members.
/// </summary>
public sealed class PackageLimitsTests : IDisposable
{
    private readonly ECDsa _key = PackageSigning.CreateKey();
    private readonly TrustedKeys _trust;

    public PackageLimitsTests() => _trust = TrustedKeys.Of(PackageSigning.PublicKeyOf(_key));

    [Fact]
    [Trait("Category", "Security")]
    public void A_package_above_3_MiB_is_refused_by_its_length()
    {
        Assert.Equal(3L << 20, ModelPackageLayout.MaxPackageBytes);
        Assert.Equal(ModelPackageLayout.MaxPackageBytes, Edge.Domain.Messaging.ModelOffer.MaxPackageBytes);
        var huge = new byte[ModelPackageLayout.MaxPackageBytes + 1];
        Assert.Contains("the limit is 3145728", Refused(huge), StringComparison.Ordinal);
        var streamed = Assert.Throws<ModelPackageException>(
            () => ModelPackageReader.Read(new ForwardOnlyStream(huge), _trust));
        Assert.Contains("exceeds the limit", streamed.Message, StringComparison.Ordinal);
        SecurityReport.Record(
            "pkg-oversized",
            "Oversized package: 3 MiB + 1 byte, in memory and as a forward-only stream",
            Repeat(nameof(A_package_above_3_MiB_is_refused_by_its_length)),
            "refused by its length before it is read",
            streamed.Message,
            streamed.Message.Contains("exceeds the limit", StringComparison.Ordinal));
    }

    [Fact]
    [Trait("Category", "Security")]
    public void More_than_64_entries_are_refused_from_the_end_record()
    {
        var entries = Enumerable.Range(0, 65).Select(i => RawEntry.Stored($"e{i}", []));
        var refusal = Refused(TestPackages.RawZip(entries));
        Assert.Contains("holds 65 entries; the limit is 64", refusal, StringComparison.Ordinal);
        SecurityReport.Record(
            "pkg-too-many-entries",
            "Too many entries: a package of 65 zip entries",
            Repeat(nameof(More_than_64_entries_are_refused_from_the_end_record)),
            "refused from the end-of-central-directory record",
            refusal,
            refusal.Contains("the limit is 64", StringComparison.Ordinal));
    }

    [Fact]
    [Trait("Category", "Security")]
    public void An_oversized_manifest_is_refused_whether_declared_or_inflated()
    {
        var big = TestPackages.Forge(TestPackages.SignedBy(_key) with { TrainerId = new string('x', 300_000) }, _key);
        var declared = Refused(big);
        Assert.Contains("Manifest is declared", declared, StringComparison.Ordinal);

        // The directory claims 100 bytes; the entry inflates to more and reading stops at the cap.
        var manifest = Encoding.UTF8.GetBytes(new string(' ', 200_000) + "{}");
        var lying = TestPackages.RawZip([
            RawEntry.Lying(ModelPackageLayout.ManifestEntry, manifest, 100),
            RawEntry.Stored(ModelPackageLayout.SignatureEntry, new byte[64])]);
        var inflated = Refused(lying);
        Assert.Contains(
            "'manifest.json' inflates beyond the 100 bytes it declares", inflated, StringComparison.Ordinal);
        SecurityReport.Record(
            "pkg-oversized-manifest",
            "Oversized manifest: a 300 kB manifest, and a manifest that declares 100 bytes but inflates to 200 kB",
            Repeat(nameof(An_oversized_manifest_is_refused_whether_declared_or_inflated)),
            "refused by its declared size, or at the declared size while inflating",
            $"{declared} / {inflated}",
            declared.Contains("Manifest is declared", StringComparison.Ordinal)
                && inflated.Contains("inflates beyond", StringComparison.Ordinal));
    }

    [Fact]
    public void A_signature_that_is_not_64_bytes_is_refused_by_its_declared_size()
    {
        var package = TestPackages.RawZip([RawEntry.Deflated(ModelPackageLayout.ManifestEntry,
            "{}"u8.ToArray()), RawEntry.Stored(ModelPackageLayout.SignatureEntry, new byte[65])]);
        Assert.Contains("Signature is declared 65 bytes", Refused(package), StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Category", "Security")]
    public void A_listed_entry_that_inflates_beyond_its_signed_length_is_refused_at_the_cap()
    {
        var bomb = TestPackages.Bomb(_key, out var declared);
        var refusal = Refused(bomb);
        Assert.Contains(
            $"'{TestPackages.OnnxPath}' inflates beyond the {declared} bytes it declares",
            refusal,
            StringComparison.Ordinal);
        SecurityReport.Record(
            "pkg-zip-bomb",
            $"Zip bomb: a signed package whose model entry ({bomb.Length} bytes compressed) inflates past the "
                + $"{declared} bytes it declares",
            Repeat(nameof(A_listed_entry_that_inflates_beyond_its_signed_length_is_refused_at_the_cap)),
            "refused at the declared length; nothing beyond it is inflated",
            refusal,
            refusal.Contains("inflates beyond", StringComparison.Ordinal));
    }

    [Fact]
    public void Truncated_or_non_zip_bytes_are_refused()
    {
        var good = TestPackages.Write(_key);
        foreach (var length in new[] { 0, 10, 21, good.Length / 2, good.Length - 1 })
        {
            Assert.Contains("not a readable zip", Refused(good[..length]), StringComparison.Ordinal);
        }

        Assert.Contains("not a readable zip", Refused([.. good, 0]), StringComparison.Ordinal);
        Assert.Contains("not a readable zip", Refused("hello"u8.ToArray()), StringComparison.Ordinal);
        var missing = Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}.edgepkg");
        var error = Assert.Throws<ModelPackageException>(() => ModelPackageReader.Read(missing, _trust));
        Assert.Contains($"Cannot read package '{missing}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Category", "Security")]
    public void Unlisted_entries_are_refused_without_being_inflated()
    {
        var manifest = TestPackages.SignedBy(_key);
        var signed = TestPackages.Entries(TestPackages.Forge(manifest, _key));
        var withExtra = TestPackages.RawZip([.. signed, RawEntry.Lying("extra.bin", new byte[1 << 20], 1)]);
        var refusal = Refused(withExtra);
        Assert.Contains("'extra.bin' is not listed", refusal, StringComparison.Ordinal);
        SecurityReport.Record(
            "pkg-unlisted-entry",
            "Smuggled entry: a signed package plus an unlisted 1 MiB entry that lies about its size",
            Repeat(nameof(Unlisted_entries_are_refused_without_being_inflated)),
            "refused without inflating the entry",
            refusal,
            refusal.Contains("is not listed", StringComparison.Ordinal));
    }

    [Fact]
    [Trait("Category", "Security")]
    public void Repeated_json_members_are_refused()
    {
        var manifest = TestPackages.SignedBy(_key);
        var repeatedTask = TestPackages.Forge(manifest, _key, json => json.Replace("\"task\": \"vowels\"",
            "\"task\": \"vowels\", \"task\": \"digits\"", StringComparison.Ordinal));
        var taskRefusal = Refused(repeatedTask);
        Assert.Contains("'$.task'", taskRefusal, StringComparison.Ordinal);

        var nested = TestPackages.Forge(manifest, _key, json => json.Replace("\"encoding\":",
            "\"size\": 2, \"encoding\":", StringComparison.Ordinal));
        var nestedRefusal = Refused(nested);
        Assert.Contains("'$.input.size'", nestedRefusal, StringComparison.Ordinal);

        var repeatedKey = TestPackages.Forge(manifest, _key, json => json.Replace("\"keyId\":",
            $"\"keyId\": \"{PackageSigning.KeyId(_key)}\", \"keyId\":", StringComparison.Ordinal));
        var keyRefusal = Refused(repeatedKey);
        Assert.Contains("Manifest field 'keyId' appears twice", keyRefusal, StringComparison.Ordinal);
        SecurityReport.Record(
            "pkg-duplicate-member",
            "Duplicate manifest members: 'task', 'input.size' and 'keyId' given twice (last-wins changes the meaning)",
            Repeat(nameof(Repeated_json_members_are_refused)),
            "all three refused naming the member",
            $"{taskRefusal} / {nestedRefusal} / {keyRefusal}",
            taskRefusal.Contains("'$.task'", StringComparison.Ordinal)
                && nestedRefusal.Contains("'$.input.size'", StringComparison.Ordinal)
                && keyRefusal.Contains("appears twice", StringComparison.Ordinal));
    }

    public void Dispose()
    {
        _trust.Dispose();
        _key.Dispose();
    }

    private static string Repeat(string test) => SecurityReport.TestCommand("Edge.Domain.Tests", test);

    private string Refused(byte[] package)
        => Assert.Throws<ModelPackageException>(() => ModelPackageReader.Read(package, _trust)).Message;
}
