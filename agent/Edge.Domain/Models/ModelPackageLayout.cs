namespace Edge.Domain.Models;

/// <summary>Fixed names inside a package and its limits.</summary>
public static class ModelPackageLayout
{
    /// <summary>The manifest entry.</summary>
    public const string ManifestEntry = "manifest.json";

    /// <summary>The ECDSA P-256 signature of the manifest bytes (IEEE P1363, 64 bytes, SHA-256).</summary>
    public const string SignatureEntry = "manifest.sig";

    /// <summary>Largest package accepted, so a hostile offer cannot exhaust the agent's memory.</summary>
    public const long MaxPackageBytes = 64L * 1024 * 1024;

    /// <summary>File extension of packages.</summary>
    public const string Extension = ".edgepkg";
}
