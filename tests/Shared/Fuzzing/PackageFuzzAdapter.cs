using System.Security.Cryptography;
using Edge.Domain.Messaging;
using Edge.Domain.Models;
using Edge.Domain.Simulation;
using Edge.Trainer.Export;
using Edge.Trainer.Training;

namespace Edge.Tests.Fuzzing;

/// <summary>
/// The only place the fuzzer calls the package reader, the package writer and the model-offer decoder, whose
/// signatures are changing under the field-trust work: when one changes, this file is the one to adapt. The key is a
/// throwaway one made here and trusted only by this adapter.
/// </summary>
internal sealed class PackageFuzzAdapter : IDisposable
{
    private readonly ECDsa _key = PackageSigning.CreateKey();
    private readonly TrustedKeys _trusted;

    /// <summary>Makes the throwaway key and a trust set holding its public half.</summary>
    public PackageFuzzAdapter()
    {
        var publicKey = ECDsa.Create(_key.ExportParameters(includePrivateParameters: false));
        _trusted = TrustedKeys.Of(publicKey);
    }

    /// <summary>The decoder's documented refusal.</summary>
    public static Type Refusal => typeof(ModelPackageException);

    /// <summary>A valid signed package of the electronic vowel PNN (a seed).</summary>
    public byte[] ValidPackage()
    {
        var system = PhysicalSystems.Get("electronic");
        var device = system.CreateDevice("fuzz", 1);
        var model = PnnArchitectures.ForSystem(system.Name, device, 12, 7, maxBatch: 1, seed: 1);
        using var package = new MemoryStream();
        var metadata = new PackageMetadata(1, "vowels", ["ae", "ah", "aw", "uw", "er", "iy", "ih"], [0], "fuzz")
        {
            Targets = new ModelTargets(["fuzz"]),
        };
        ModelPackager.Write(package, model, twin: null, metadata, _key);
        return package.ToArray();
    }

    /// <summary>Reads and verifies <paramref name="package"/> with the throwaway key.</summary>
    public void Read(byte[] package) => ModelPackageReader.Read(package, _trusted);

    /// <summary>Decodes a model offer frame (<c>EO</c>).</summary>
    public static void DecodeOffer(byte[] frame) => ModelOffer.Decode(frame);

    /// <inheritdoc />
    public void Dispose()
    {
        _key.Dispose();
        _trusted.Dispose();
    }
}
