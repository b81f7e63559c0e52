namespace Edge.Domain.Models;

/// <summary>Fixed names inside a package and its limits (each checked before anything it bounds is read).</summary>
public static class ModelPackageLayout
{
    /// <summary>The manifest entry.</summary>
    public const string ManifestEntry = "manifest.json";

    /// <summary>The ECDSA P-256 signature of the manifest bytes (IEEE P1363, 64 bytes, SHA-256).</summary>
    public const string SignatureEntry = "manifest.sig";

    /// <summary>
    /// Largest package file accepted (3 MiB; the biggest real package is 1.1 MB), so a hostile offer cannot exhaust
    /// the agent's memory: receiving one costs its size twice over (MQTTnet reads the packet into a pooled buffer,
    /// rounded up to 4 MiB, and copies the payload out), and the agent must stay within 16 MB of its steady level
    /// while it refuses one (docs/decisions.md).
    /// </summary>
    public const long MaxPackageBytes = 3L * 1024 * 1024;

    /// <summary>Most zip entries a package may hold (manifest, signature and the listed files).</summary>
    public const int MaxEntries = 64;

    /// <summary>Largest manifest, declared and read (256 KiB).</summary>
    public const int MaxManifestBytes = 256 * 1024;

    /// <summary>Exact length of the signature entry.</summary>
    public const int SignatureBytes = 64;

    /// <summary>
    /// Largest total of the listed files once inflated (16 MiB): the memory a verified package holds.
    /// </summary>
    public const long MaxContentBytes = 16L * 1024 * 1024;

    /// <summary>File extension of packages.</summary>
    public const string Extension = ".edgepkg";
}
