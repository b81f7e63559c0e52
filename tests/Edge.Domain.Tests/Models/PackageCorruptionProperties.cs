using System.Security.Cryptography;
using Edge.Domain.Models;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

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

    [Property(MaxTest = 2000)]
    public Property A_single_byte_change_is_refused_or_changes_nothing_signed()
    {
        var original = ModelPackageReader.Read(Good, _trust);
        var changes =
            from position in Gen.Choose(0, Good.Length - 1)
            from flip in Gen.Choose(1, 255)
            select (position, flip);
        return Prop.ForAll(changes.ToArbitrary(), change =>
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
                return true;
            }

            return read.ManifestSha256 == original.ManifestSha256
                && read.File(TestPackages.OnnxPath).Span.SequenceEqual(original.File(TestPackages.OnnxPath).Span);
        });
    }

    public void Dispose() => _trust.Dispose();
}
