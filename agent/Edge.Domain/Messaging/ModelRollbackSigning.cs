using System.Security.Cryptography;
using Edge.Domain.Models;

namespace Edge.Domain.Messaging;

/// <summary>Signs rollback instructions (trainer) and opens them for verification (agent).</summary>
public static class ModelRollbackSigning
{
    /// <summary>Largest signature accepted: a P-256 P1363 signature is 64 bytes.</summary>
    private const int MaxSignatureBytes = 132;

    /// <summary>
    /// A key's id: the first 16 hex digits of the SHA-256 of its SubjectPublicKeyInfo, so the same key has the same id
    /// on the trainer (private key) and on the agent (public key).
    /// </summary>
    public static string KeyIdOf(ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()))[..16];
    }

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
}
