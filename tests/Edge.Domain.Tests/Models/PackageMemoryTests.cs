using System.Security.Cryptography;
using Edge.Domain.Models;

namespace Edge.Domain.Tests.Models;

/// <summary>
/// Authenticate before allocate, measured: refusing a hostile package of up to the 3 MiB limit read from a file
/// allocates less
/// than 2 MB of managed memory (the whole package is never buffered and nothing unauthenticated is inflated).
/// </summary>
public sealed class PackageMemoryTests : IDisposable
{
    private const long Budget = 2_000_000;

    private readonly ECDsa _key = PackageSigning.CreateKey();
    private readonly ECDsa _attacker = PackageSigning.CreateKey();
    private readonly TrustedKeys _trust;
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("edge-hostile-");

    public PackageMemoryTests() => _trust = TrustedKeys.Of(PackageSigning.PublicKeyOf(_key));

    [Fact]
    [Trait("Category", "Security")]
    public void A_package_at_the_size_limit_signed_by_an_untrusted_key_is_refused_within_the_budget()
    {
        var filler = new byte[ModelPackageLayout.MaxPackageBytes - 8192];
        RandomNumberGenerator.Fill(filler);
        var files = new Dictionary<string, byte[]> { [TestPackages.OnnxPath] = filler };
        var package = TestPackages.Entries(
            TestPackages.Forge(TestPackages.SignedBy(_attacker), _attacker, files: files))
            .Select(e => e.Name == TestPackages.OnnxPath ? RawEntry.Stored(e.Name, filler) : e);
        var zip = TestPackages.RawZip(package);
        Assert.InRange(zip.Length, ModelPackageLayout.MaxPackageBytes - 65_536, ModelPackageLayout.MaxPackageBytes);
        AssertRefusedWithinBudget(
            zip,
            $"key {PackageSigning.KeyId(_attacker)}, which is not in this agent's trust set",
            "pkg-memory-untrusted",
            "Memory before refusal: a 3 MiB package (the limit) signed by an untrusted key, read from a file",
            nameof(A_package_at_the_size_limit_signed_by_an_untrusted_key_is_refused_within_the_budget));
    }

    [Fact]
    [Trait("Category", "Security")]
    public void A_package_at_the_size_limit_with_a_forged_signature_is_refused_within_the_budget()
    {
        var filler = new byte[ModelPackageLayout.MaxPackageBytes - 8192];
        var files = new Dictionary<string, byte[]> { [TestPackages.OnnxPath] = filler };
        var manifest = TestPackages.Entries(TestPackages.Forge(TestPackages.SignedBy(_key), _attacker, files: files));
        var zip = TestPackages.RawZip(
            manifest.Select(e => e.Name == TestPackages.OnnxPath ? RawEntry.Stored(e.Name, filler) : e));
        AssertRefusedWithinBudget(
            zip,
            "signature does not verify with trusted key",
            "pkg-memory-forged",
            "Memory before refusal: a 3 MiB package (the limit) naming the trusted key with a forged signature",
            nameof(A_package_at_the_size_limit_with_a_forged_signature_is_refused_within_the_budget));
    }

    [Fact]
    [Trait("Category", "Security")]
    public void Tens_of_thousands_of_empty_unlisted_entries_are_refused_within_the_budget()
    {
        var zip = TestPackages.RawZip(Enumerable.Range(0, 30_000).Select(i => RawEntry.Stored($"e{i:x5}", [])));
        Assert.InRange(zip.Length, 2_000_000, ModelPackageLayout.MaxPackageBytes);
        AssertRefusedWithinBudget(
            zip,
            "holds 30000 entries; the limit is 64",
            "pkg-memory-entries",
            $"Memory before refusal: 30 000 empty unlisted entries ({zip.Length} bytes)",
            nameof(Tens_of_thousands_of_empty_unlisted_entries_are_refused_within_the_budget));
    }

    [Fact]
    [Trait("Category", "Security")]
    public void A_zip_bomb_in_a_signed_package_is_refused_within_the_budget()
    {
        var bomb = TestPackages.Bomb(_key, out var declared);
        AssertRefusedWithinBudget(
            bomb,
            $"inflates beyond the {declared} bytes it declares",
            "pkg-memory-bomb",
            "Memory before refusal: a zip bomb in a signed package",
            nameof(A_zip_bomb_in_a_signed_package_is_refused_within_the_budget));
    }

    public void Dispose()
    {
        _trust.Dispose();
        _key.Dispose();
        _attacker.Dispose();
        _folder.Delete(recursive: true);
    }

    private void AssertRefusedWithinBudget(byte[] package, string expected, string id, string attack, string test)
    {
        var path = Path.Combine(_folder.FullName, $"{Guid.NewGuid():N}.edgepkg");
        File.WriteAllBytes(path, package);

        // Once to load and JIT the code path, then measured.
        Assert.Throws<ModelPackageException>(() => ModelPackageReader.Read(path, _trust));
        var before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<ModelPackageException>(() => ModelPackageReader.Read(path, _trust));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.True(allocated < Budget, $"Refusing allocated {allocated} bytes; the budget is {Budget}.");
        SecurityReport.Record(
            id,
            attack,
            SecurityReport.TestCommand("Edge.Domain.Tests", test),
            $"refused, allocating under {Budget:N0} bytes of managed memory",
            $"refused (\"{error.Message}\"), {allocated:N0} bytes allocated",
            error.Message.Contains(expected, StringComparison.Ordinal) && allocated < Budget);
    }
}
