using System.Globalization;
using Edge.Domain.Messaging;
using Edge.Domain.Models;

namespace Edge.Agent.Models;

/// <summary>
/// Judges a signed rollback instruction before the store acts on it: signed by a key of the agent's trust set (the
/// same keys as packages, revocations included), for this device, not stale, not from the future, and newer than the
/// last one accepted (so it cannot be replayed).
/// </summary>
internal static class RollbackInstructionCheck
{
    /// <summary>How far an instruction's issue time may lie ahead of this agent's clock.</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>Why the instruction must be refused, or null when it may be carried out.</summary>
    public static string? Problem(
        ModelRollbackInstruction instruction,
        ModelRollbackMessage signed,
        TrustedKeys trust,
        string deviceId,
        DateTimeOffset now,
        TimeSpan maxAge,
        RollbackMark? last)
    {
        if (ModelRollbackSigning.SignatureProblem(signed, instruction.KeyId, trust) is { } signature)
        {
            return signature;
        }

        if (!string.Equals(instruction.DeviceId, deviceId, StringComparison.Ordinal))
        {
            return $"the instruction is for device '{instruction.DeviceId}', not this one ('{deviceId}').";
        }

        if (instruction.IssuedAt < now - maxAge)
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"the instruction was issued at {instruction.IssuedAt:O}, "
                + $"more than {maxAge.TotalHours:0.##} h ago; it is stale.");
        }

        if (instruction.IssuedAt > now + MaxClockSkew)
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"the instruction was issued at {instruction.IssuedAt:O}, in the future of this agent's clock "
                + $"({now:O}).");
        }

        if (last is not null && instruction.IssuedAt <= last.IssuedAt)
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"the instruction (issued {instruction.IssuedAt:O}, nonce {instruction.Nonce}) is not newer than the "
                + $"last one accepted (issued {last.IssuedAt:O}, nonce {last.Nonce}); replays are refused.");
        }

        return null;
    }
}
