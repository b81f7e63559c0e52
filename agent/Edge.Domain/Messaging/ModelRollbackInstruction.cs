namespace Edge.Domain.Messaging;

/// <summary>
/// What a signed rollback tells one agent: activate <see cref="ToVersion"/>, an installed model version. It is carried
/// as the exact signed bytes inside a <see cref="ModelRollbackMessage"/>, so no JSON canonicalisation is needed.
/// </summary>
public sealed record ModelRollbackInstruction : IControlMessage
{
    /// <inheritdoc />
    public int SchemaVersion { get; init; } = ControlJson.SchemaVersion;

    /// <summary>The one agent the instruction is for.</summary>
    public required string DeviceId { get; init; }

    /// <summary>The installed version to activate.</summary>
    public required int ToVersion { get; init; }

    /// <summary>When the trainer issued it; the agent refuses stale ones and any not newer than the last accepted.
    /// </summary>
    public required DateTimeOffset IssuedAt { get; init; }

    /// <summary>Unique per instruction; the agent's <see cref="ModelAckMessage.OfferId"/> echoes it.</summary>
    public required Guid Nonce { get; init; }

    /// <summary>Id of the signing key (<see cref="Models.PackageSigning.KeyId"/>): which trusted key to verify with.
    /// </summary>
    public required string KeyId { get; init; }
}

/// <summary>
/// The payload on <c>model/rollback</c>: the instruction's UTF-8 JSON bytes and their ECDSA P-256 signature (SHA-256,
/// IEEE P1363), both base64 in JSON.
/// </summary>
public sealed record ModelRollbackMessage : IControlMessage
{
    /// <inheritdoc />
    public int SchemaVersion { get; init; } = ControlJson.SchemaVersion;

    /// <summary>The signed bytes: a <see cref="ModelRollbackInstruction"/> as UTF-8 JSON.</summary>
    public required byte[] Instruction { get; init; }

    /// <summary>Signature of <see cref="Instruction"/> by the trainer key named in it.</summary>
    public required byte[] Signature { get; init; }
}
