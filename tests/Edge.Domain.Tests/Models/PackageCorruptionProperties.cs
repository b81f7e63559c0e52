using System.Security.Cryptography;
using Edge.Domain.Models;
using FsCheck;
using FsCheck.Fluent;

namespace Edge.Domain.Tests.Models;

/// <summary>
/// Any single-byte change of a valid package is refused, or (when it only touches the zip container: a timestamp,
/// a version field) yields exactly the signed manifest and files — never different content that is accepted.
/// </summary>
public sealed class PackageCorruptionProperties : IDisposable
{
    private static readonly ECDsa Key = PackageSigning.CreateKey();
    private static readonly byte[] Good = TestPackages.Write(Key);
    private readonly TrustedKeys _trust = TrustedKeys.Of(PackageSigning.PublicKeyOf(Key));

    private const int Changes = 2000;

    [Fact]
    [Trait("Category", "Security")]
    public void A_single_byte_change_is_refused_or_changes_nothing_signed()
    {
        var original = ModelPackageReader.Read(Good, _trust);
        var changes =
            from position in Gen.Choose(0, Good.Length - 1)
            from flip in Gen.Choose(1, 255)
            select (position, flip);
        var (refused, unchanged, different) = (0, 0, 0);
        var property = Prop.ForAll(changes.ToArbitrary(), change =>
        {
            var corrupt = (byte[])Good.Clone();
            corrupt[change.position] ^= (byte)change.flip;
            VerifiedModelPackage read;
            try
            {
                read = ModelPackageReader.Read(corrupt, _trust);
            }
            catch (ModelPackageException)
            {
                refused++;
                return true;
            }

            var same = read.ManifestSha256 == original.ManifestSha256
                && read.File(TestPackages.OnnxPath).Span.SequenceEqual(original.File(TestPackages.OnnxPath).Span);
            if (same)
            {
                unchanged++;
            }
            else
            {
                different++;
            }

            return same;
        });

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(Changes), property);

        SecurityReport.Record(
            "pkg-corruption",
            $"Corruption property: {Changes} random single-byte changes of a valid {Good.Length}-byte package",
            SecurityReport.TestCommand("Edge.Domain.Tests", nameof(
                A_single_byte_change_is_refused_or_changes_nothing_signed)),
            "each refused, or (zip container bytes only) read back with the signed manifest and files unchanged",
            $"{refused} refused, {unchanged} container-only changes read back unchanged, {different} accepted "
                + "with different content",
            different == 0 && refused + unchanged == Changes);
    }

    public void Dispose() => _trust.Dispose();
}
