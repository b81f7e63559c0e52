using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Edge.Domain.Models;

namespace Edge.Domain.Tests.Models;

/// <summary>
/// Small packages for the reader's tests: a valid two-class model with one digital stage (the reader checks the
/// stage chain, not the ONNX inside), and the means to forge bad ones — re-signed manifests and raw zips whose
/// declared sizes lie.
/// </summary>
internal static class TestPackages
{
    public const string DeviceId = "rx-01";
    public const string OnnxPath = "stages/stage0.onnx";

    public static readonly byte[] Onnx = [.. Enumerable.Range(0, 3000).Select(i => (byte)(i * 7 % 251))];

    public static ModelManifest Manifest(ModelTargets? targets = null) => new()
    {
        SchemaVersion = ModelManifest.CurrentSchemaVersion,
        ModelVersion = 3,
        Task = "vowels",
        ClassLabels = ["ae", "iy"],
        Input = new ModelInput(2, ModelInput.FeatureVector),
        Stages =
        [
            new ModelStage
            {
                Name = "stage0", Kind = StageKind.Digital, InputSize = 2, OutputSize = 2, File = OnnxPath,
            },
        ],
        Files = [],
        CalibrationSha256 = new string('a', 64),
        CreatedAt = new DateTimeOffset(2026, 12, 7, 3, 0, 0, TimeSpan.Zero),
        TrainerId = "tests",
        Targets = targets ?? new ModelTargets([DeviceId]),
    };

    /// <summary>A valid package written by <see cref="ModelPackageWriter"/>.</summary>
    public static byte[] Write(ECDsa key, ModelTargets? targets = null)
    {
        using var stream = new MemoryStream();
        ModelPackageWriter.Write(stream, Manifest(targets), new Dictionary<string, byte[]> { [OnnxPath] = Onnx }, key);
        return stream.ToArray();
    }

    /// <summary>
    /// Signs <paramref name="manifest"/> (files listed as given, key id as given) after <paramref name="editJson"/>,
    /// bypassing the writer's checks, and zips it with <paramref name="files"/>.
    /// </summary>
    public static byte[] Forge(
        ModelManifest manifest,
        ECDsa key,
        Func<string, string>? editJson = null,
        IReadOnlyDictionary<string, byte[]>? files = null)
    {
        files ??= new Dictionary<string, byte[]> { [OnnxPath] = Onnx };
        var listed = files.Select(
            f => new PackageFile(f.Key, PackageSigning.Sha256Hex(f.Value), f.Value.Length)).ToList();
        var json = JsonSerializer.Serialize(manifest with { Files = listed }, ModelJsonContext.Default.ModelManifest);
        var bytes = Encoding.UTF8.GetBytes(editJson is null ? json : editJson(json));
        var entries = new List<RawEntry>
        {
            RawEntry.Deflated(ModelPackageLayout.ManifestEntry, bytes),
            RawEntry.Stored(ModelPackageLayout.SignatureEntry, PackageSigning.Sign(key, bytes)),
        };
        entries.AddRange(files.Select(f => RawEntry.Deflated(f.Key, f.Value)));
        return RawZip(entries);
    }

    /// <summary>The manifest with the key id of <paramref name="key"/>, as the writer would set it.</summary>
    public static ModelManifest SignedBy(ECDsa key, ModelTargets? targets = null)
        => Manifest(targets) with { KeyId = PackageSigning.KeyId(key) };

    /// <summary>
    /// A correctly signed package whose one listed file declares (in the manifest and the zip directory) its true
    /// length, but whose zip data inflates to 64 MiB.
    /// </summary>
    public static byte[] Bomb(ECDsa key, out long declared)
    {
        var content = new byte[1000];
        declared = content.Length;
        var signedFiles = new Dictionary<string, byte[]> { [OnnxPath] = content };
        var honest = Entries(Forge(SignedBy(key), key, files: signedFiles));
        var bomb = RawEntry.Lying(OnnxPath, new byte[64 << 20], content.Length);
        return RawZip([.. honest.Where(e => e.Name != OnnxPath), bomb]);
    }

    public static List<RawEntry> Entries(byte[] package)
    {
        using var zip = new System.IO.Compression.ZipArchive(new MemoryStream(package));
        return [.. zip.Entries.Select(e =>
        {
            using var stream = e.Open();
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return RawEntry.Deflated(e.FullName, copy.ToArray());
        })];
    }

    /// <summary>A zip of <paramref name="entries"/>, each with the sizes it declares (which may lie).</summary>
    public static byte[] RawZip(IEnumerable<RawEntry> entries)
    {
        using var output = new MemoryStream();
        var directory = new MemoryStream();
        var count = 0;
        foreach (var entry in entries)
        {
            var name = Encoding.UTF8.GetBytes(entry.Name);
            var offset = (uint)output.Position;
            output.Write(Header(0x04034b50, entry, name, offset, local: true));
            output.Write(name);
            output.Write(entry.Data);
            directory.Write(Header(0x02014b50, entry, name, offset, local: false));
            directory.Write(name);
            count++;
        }

        var directoryStart = (uint)output.Position;
        directory.WriteTo(output);
        var end = new byte[22];
        BinaryPrimitives.WriteUInt32LittleEndian(end, 0x06054b50);
        BinaryPrimitives.WriteUInt16LittleEndian(end.AsSpan(8), (ushort)count);
        BinaryPrimitives.WriteUInt16LittleEndian(end.AsSpan(10), (ushort)count);
        BinaryPrimitives.WriteUInt32LittleEndian(end.AsSpan(12), (uint)directory.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(end.AsSpan(16), directoryStart);
        output.Write(end);
        return output.ToArray();
    }

    private static byte[] Header(uint signature, RawEntry entry, byte[] name, uint offset, bool local)
    {
        var header = new byte[local ? 30 : 46];
        var at = local ? 0 : 2;
        BinaryPrimitives.WriteUInt32LittleEndian(header, signature);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(4), 20);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(at + 8), (ushort)(entry.Deflate ? 8 : 0));
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(at + 18), (uint)entry.Data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(at + 22), (uint)entry.DeclaredLength);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(at + 26), (ushort)name.Length);
        if (!local)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(42), offset);
        }

        return header;
    }
}

/// <summary>One raw zip entry: its stored bytes (deflated or not) and the uncompressed length it declares.</summary>
internal sealed record RawEntry(string Name, byte[] Data, bool Deflate, long DeclaredLength)
{
    public static RawEntry Stored(string name, byte[] content) => new(name, content, false, content.Length);

    public static RawEntry Deflated(string name, byte[] content) => new(name, Compress(content), true, content.Length);

    /// <summary>Deflates <paramref name="content"/> but declares <paramref name="declared"/> bytes.</summary>
    public static RawEntry Lying(string name, byte[] content, long declared)
        => new(name, Compress(content), true, declared);

    private static byte[] Compress(byte[] content)
    {
        using var output = new MemoryStream();
        using (var deflate = new DeflateStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            deflate.Write(content);
        }

        return output.ToArray();
    }
}
