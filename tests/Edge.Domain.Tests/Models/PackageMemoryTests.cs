using System.Security.Cryptography;
using Edge.Domain.Models;

namespace Edge.Domain.Tests.Models;

/// <summary>
/// Authenticate before allocate, measured: refusing a hostile package of up to the 3 MiB limit read from a file allocates less
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
            zip, $"key {PackageSigning.KeyId(_attacker)}, which is not in this agent's trust set");
    }

    [Fact]
    public void A_package_at_the_size_limit_with_a_forged_signature_is_refused_within_the_budget()
    {
        var filler = new byte[ModelPackageLayout.MaxPackageBytes - 8192];
        var files = new Dictionary<string, byte[]> { [TestPackages.OnnxPath] = filler };
        var manifest = TestPackages.Entries(TestPackages.Forge(TestPackages.SignedBy(_key), _attacker, files: files));
        var zip = TestPackages.RawZip(
            manifest.Select(e => e.Name == TestPackages.OnnxPath ? RawEntry.Stored(e.Name, filler) : e));
        AssertRefusedWithinBudget(zip, "signature does not verify with trusted key");
    }

    [Fact]
    public void Tens_of_thousands_of_empty_unlisted_entries_are_refused_within_the_budget()
    {
        var zip = TestPackages.RawZip(Enumerable.Range(0, 40_000).Select(i => RawEntry.Stored($"e{i:x5}", [])));
        Assert.InRange(zip.Length, 3_000_000, ModelPackageLayout.MaxPackageBytes);
        AssertRefusedWithinBudget(zip, "holds 40000 entries; the limit is 64");
    }

    [Fact]
    public void A_zip_bomb_in_a_signed_package_is_refused_within_the_budget()
    {
        var bomb = TestPackages.Bomb(_key, out var declared);
        AssertRefusedWithinBudget(bomb, $"inflates beyond the {declared} bytes it declares");
    }

    public void Dispose()
    {
        _trust.Dispose();
        _key.Dispose();
        _attacker.Dispose();
        _folder.Delete(recursive: true);
    }

    private void AssertRefusedWithinBudget(byte[] package, string expected)
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
    }
}
