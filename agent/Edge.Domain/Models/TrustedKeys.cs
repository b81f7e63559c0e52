using System.Security.Cryptography;

namespace Edge.Domain.Models;

/// <summary>
/// The public keys an agent accepts packages from, by key id (<see cref="PackageSigning.KeyId"/>), and the ids it
/// refuses. Rotating the trainer key = adding the new public key to the set; revoking a key = listing its id as
/// revoked, which wins even while the key's PEM is still configured.
/// </summary>
public sealed class TrustedKeys : IDisposable
{
    private readonly Dictionary<string, ECDsa> _keys;
    private readonly HashSet<string> _revoked;

    private TrustedKeys(Dictionary<string, ECDsa> keys, HashSet<string> revoked)
    {
        _keys = keys;
        _revoked = revoked;
        var trusted = new List<string>(keys.Count);
        foreach (var id in keys.Keys)
        {
            if (!revoked.Contains(id))
            {
                trusted.Add(id);
            }
        }

        trusted.Sort(StringComparer.Ordinal);
        KeyIds = trusted;
        RevokedKeyIds = [.. revoked.Order(StringComparer.Ordinal)];
    }

    /// <summary>Ids of the keys packages are accepted from (loaded and not revoked), sorted.</summary>
    public IReadOnlyList<string> KeyIds { get; }

    /// <summary>Ids refused whatever keys are loaded, sorted.</summary>
    public IReadOnlyList<string> RevokedKeyIds { get; }

    /// <summary>
    /// Loads every public key PEM in <paramref name="publicKeyPemPaths"/> and the revoked ids. Throws
    /// <see cref="ModelPackageException"/> naming the file or id when a key cannot be read, two files hold the same
    /// key, a revoked id is not 16 lower-case hex digits, or no key is left to trust.
    /// </summary>
    public static TrustedKeys Load(IEnumerable<string> publicKeyPemPaths, IEnumerable<string> revokedKeyIds)
    {
        ArgumentNullException.ThrowIfNull(publicKeyPemPaths);
        ArgumentNullException.ThrowIfNull(revokedKeyIds);
        var revoked = new HashSet<string>(StringComparer.Ordinal);
        foreach (var listed in revokedKeyIds)
        {
            var id = listed?.Trim().ToLowerInvariant();
            if (!PackageSigning.IsKeyId(id))
            {
                throw new ModelPackageException($"Revoked key id '{listed}' is not a key id: expected "
                    + $"{PackageSigning.KeyIdLength} hex digits, as keygen prints.");
            }

            revoked.Add(id!);
        }

        var keys = new Dictionary<string, ECDsa>(StringComparer.Ordinal);
        var sources = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            foreach (var path in publicKeyPemPaths)
            {
                var key = PackageSigning.LoadPublicKey(path);
                var id = PackageSigning.KeyId(key);
                if (!keys.TryAdd(id, key))
                {
                    key.Dispose();
                    throw new ModelPackageException($"The public key '{path}' is key {id}, already loaded from "
                        + $"'{sources[id]}'; list each key once.");
                }

                sources.Add(id, path);
            }

            var set = new TrustedKeys(keys, revoked);
            return set.KeyIds.Count > 0
                ? set
                : throw new ModelPackageException(keys.Count == 0
                    ? "No public key is configured: an agent needs at least one trusted key to accept packages."
                    : $"Every configured public key is revoked ({string.Join(", ", keys.Keys)}); "
                        + "add the new key's public PEM.");
        }
        catch
        {
            foreach (var key in keys.Values)
            {
                key.Dispose();
            }

            throw;
        }
    }

    /// <summary>
    /// A set trusting <paramref name="keys"/> with nothing revoked; takes ownership of the keys (tests, tools).
    /// </summary>
    public static TrustedKeys Of(params ECDsa[] keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var set = new Dictionary<string, ECDsa>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            ArgumentNullException.ThrowIfNull(key);
            var id = PackageSigning.KeyId(key);
            if (!set.TryAdd(id, key))
            {
                // The set owns what it was given, refused or not.
                foreach (var owned in keys)
                {
                    owned?.Dispose();
                }

                throw new ArgumentException($"Key {id} is given twice.", nameof(keys));
            }
        }

        return new TrustedKeys(set, new HashSet<string>(StringComparer.Ordinal));
    }

    /// <summary>
    /// True when packages signed by <paramref name="keyId"/> are accepted: the key is loaded and not revoked.
    /// </summary>
    public bool IsTrusted(string keyId) => _keys.ContainsKey(keyId) && !_revoked.Contains(keyId);

    /// <summary>True when <paramref name="keyId"/> is listed as revoked.</summary>
    public bool IsRevoked(string keyId) => _revoked.Contains(keyId);

    /// <summary>
    /// True when <paramref name="signature"/> is the signature of <paramref name="data"/> by the trusted key
    /// <paramref name="keyId"/>; a revoked or unknown id is a refusal naming it. Safe to call from several threads.
    /// </summary>
    internal bool Verify(string keyId, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        if (_revoked.Contains(keyId))
        {
            throw new ModelPackageException($"Package is signed with key {keyId}, which this agent lists as revoked.");
        }

        if (!_keys.TryGetValue(keyId, out var key))
        {
            throw new ModelPackageException($"Package is signed with key {keyId}, which is not in this agent's "
                + $"trust set ({string.Join(", ", KeyIds)}).");
        }

        // One ECDsa instance is not documented as safe for concurrent use.
        lock (key)
        {
            return PackageSigning.Verify(key, data, signature);
        }
    }

    /// <summary>
    /// The id of the trusted key whose signature <paramref name="signature"/> is, or null (manifests without key ids).
    /// </summary>
    internal string? FindSigner(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        foreach (var id in KeyIds)
        {
            if (Verify(id, data, signature))
            {
                return id;
            }
        }

        return null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var key in _keys.Values)
        {
            key.Dispose();
        }
    }
}
