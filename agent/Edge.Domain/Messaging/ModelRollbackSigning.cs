using System.Security.Cryptography;
using Edge.Domain.Models;

namespace Edge.Domain.Messaging;

/// <summary>Signs rollback instructions (trainer) and opens them for verification (agent).</summary>
public static class ModelRollbackSigning
{
    /// <summary>Largest signature accepted: a P-256 P1363 signature is 64 bytes.</summary>
    private const int MaxSignatureBytes = 132;

    /// <summary>Signs <paramref name="instruction"/> with <paramref name="privateKey"/>; returns the MQTT payload.
    /// </summary>
    public static byte[] Encode(ModelRollbackInstruction instruction, ECDsa privateKey)
    {
        ArgumentNullException.ThrowIfNull(instruction);
        var signed = ControlJson.Serialize(instruction, MessagingJsonContext.Default.ModelRollbackInstruction);
        var signature = PackageSigning.Sign(privateKey, signed);
        var message = new ModelRollbackMessage { Instruction = signed, Signature = signature };
        return ControlJson.Serialize(message, MessagingJsonContext.Default.ModelRollbackMessage);
    }

    /// <summary>
    /// Parses the payload and the instruction inside it, without judging the signature (the agent does that with its
    /// trusted keys). Throws <see cref="MessageFormatException"/> naming the problem.
    /// </summary>
    public static (ModelRollbackInstruction Instruction, ModelRollbackMessage Signed) Decode(ReadOnlySpan<byte> payload)
    {
        var message = ControlJson.Parse(payload, MessagingJsonContext.Default.ModelRollbackMessage);
        if (message.Signature is not { Length: > 0 and <= MaxSignatureBytes })
        {
            throw new MessageFormatException(
                $"{nameof(ModelRollbackMessage)}: 'signature' must hold 1..{MaxSignatureBytes} bytes.");
        }

        var instruction = ControlJson.Parse(
            message.Instruction ?? [], MessagingJsonContext.Default.ModelRollbackInstruction);
        return (instruction, message);
    }

    /// <summary>True when <paramref name="signed"/>'s signature verifies with <paramref name="publicKey"/>.</summary>
    public static bool Verify(ModelRollbackMessage signed, ECDsa publicKey)
    {
        ArgumentNullException.ThrowIfNull(signed);
        return PackageSigning.Verify(publicKey, signed.Instruction, signed.Signature);
    }

    /// <summary>
    /// Why <paramref name="signed"/> is not a valid signature by key <paramref name="keyId"/> of
    /// <paramref name="keys"/> (the key is unknown, revoked, or the signature does not verify), or null when it is.
    /// </summary>
    public static string? SignatureProblem(ModelRollbackMessage signed, string keyId, TrustedKeys keys)
    {
        ArgumentNullException.ThrowIfNull(signed);
        ArgumentNullException.ThrowIfNull(keys);
        if (!PackageSigning.IsKeyId(keyId))
        {
            return $"'keyId' must be {PackageSigning.KeyIdLength} lower-case hex digits.";
        }

        bool verifies;
        try
        {
            verifies = keys.Verify(keyId, signed.Instruction, signed.Signature);
        }
        catch (ModelPackageException e)
        {
            // The trust set words it for packages; the rule is the same for instructions.
            return e.Message.Replace("Package is signed", "the instruction is signed", StringComparison.Ordinal);
        }

        return verifies
            ? null
            : $"the signature does not verify with key '{keyId}': the instruction was altered or signed with "
                + "another key.";
    }
}
