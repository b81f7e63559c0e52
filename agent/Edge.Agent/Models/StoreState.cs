using System.Text.Json.Serialization;

namespace Edge.Agent.Models;

/// <summary>
/// What the store persists in <c>state.json</c>: the installed versions, the activation stack (top = active), the
/// anti-rollback floor, the packages it refused, the last rollback instruction it accepted and what the store repaired
/// when it opened. <see cref="Generation"/> counts the saves, so the newer of two copies can be told apart.
/// </summary>
internal sealed record StoreState
{
    /// <summary>How many recovery notes are kept (the newest).</summary>
    public const int MaxRecoveries = 20;

    /// <summary>Incremented by every save.</summary>
    public long Generation { get; set; }

    public List<InstalledVersion> Installed { get; init; } = [];

    /// <summary>Versions in activation order; the last is active, rollback pops it.</summary>
    public List<int> ActivationStack { get; init; } = [];

    /// <summary>The highest version ever activated: no offer at or below it is installed or activated.</summary>
    public int Floor { get; set; }

    /// <summary>Packages refused after verification, oldest first (at most <see cref="VersionPolicy.MaxRefused"/>).
    /// </summary>
    public List<RefusedPackage> Refused { get; init; } = [];

    /// <summary>The last signed rollback instruction accepted; anything not newer is a replay.</summary>
    public RollbackMark? LastRollback { get; set; }

    /// <summary>What the store repaired when it opened, oldest first (at most <see cref="MaxRecoveries"/>).</summary>
    public List<StoreRecovery> Recoveries { get; init; } = [];

    /// <summary>The active version, or 0 when none is.</summary>
    [JsonIgnore]
    public int ActiveVersion => ActivationStack.Count > 0 ? ActivationStack[^1] : 0;

    /// <summary>A copy to change and save; the store's own state changes only once the copy is on disk.</summary>
    public StoreState Copy() => this with
    {
        Installed = [.. Installed],
        ActivationStack = [.. ActivationStack],
        Refused = [.. Refused],
        Recoveries = [.. Recoveries],
    };

    /// <summary>Records <paramref name="problems"/> repaired at <paramref name="at"/>, dropping the oldest notes.
    /// </summary>
    public void NoteRecoveries(IEnumerable<string> problems, DateTimeOffset at)
    {
        Recoveries.AddRange(problems.Select(p => new StoreRecovery(at, p)));
        if (Recoveries.Count > MaxRecoveries)
        {
            Recoveries.RemoveRange(0, Recoveries.Count - MaxRecoveries);
        }
    }
}

/// <summary>Something the store found wrong on disk when it opened, and repaired.</summary>
/// <param name="At">When it was repaired.</param>
/// <param name="Problem">What was wrong and what the store did, naming the file.</param>
public sealed record StoreRecovery(DateTimeOffset At, string Problem);

/// <summary>One installed package.</summary>
/// <param name="Version">Model version.</param>
/// <param name="File">Package file name inside the store's <c>versions</c> folder.</param>
/// <param name="CalibrationAccuracy">Accuracy measured on the calibration set when it was installed.</param>
/// <param name="InstalledAt">When it was installed.</param>
/// <param name="ManifestSha256">Digest of its signed manifest.</param>
internal sealed record InstalledVersion(
    int Version,
    string File,
    double CalibrationAccuracy,
    DateTimeOffset InstalledAt,
    string ManifestSha256);

/// <summary>A verified package the store refused, remembered so a re-offer is refused at once.</summary>
/// <param name="Version">Its model version.</param>
/// <param name="ManifestSha256">Digest of its signed manifest (identifies the exact package).</param>
/// <param name="Reason">Why it was refused.</param>
/// <param name="RefusedAt">When.</param>
internal sealed record RefusedPackage(int Version, string ManifestSha256, string Reason, DateTimeOffset RefusedAt);

/// <summary>The issue time and nonce of an accepted rollback instruction.</summary>
/// <param name="IssuedAt">When the trainer issued it.</param>
/// <param name="Nonce">Its nonce.</param>
internal sealed record RollbackMark(DateTimeOffset IssuedAt, Guid Nonce);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(StoreState))]
internal sealed partial class StoreJsonContext : JsonSerializerContext;
