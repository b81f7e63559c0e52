using System.Security.Cryptography;
using Edge.Agent.Configuration;
using Edge.Agent.Models;
using Edge.Domain.Messaging;
using Edge.Domain.Models;
using Edge.Domain.Simulation;
using Edge.Tests.Shared;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Agent.Tests.Models;

/// <summary>Signed rollback instructions: only a fresh signed one for this device and an installed version is obeyed.
/// </summary>
public sealed class RollbackInstructionTests(TrainedPackages packages) : IDisposable
{
    private readonly TempDirectory _store = new();

    private ModelStore Open(string[]? moreKeys = null, string[]? revoked = null) => ModelStore.Open(
        new ModelsOptions
        {
            StoreDirectory = _store.Path,
            PublicKeyPath = packages.PublicKeyPath,
            TrustedKeyPaths = moreKeys ?? [],
            RevokedKeyIds = revoked ?? [],
            CalibrationSetPath = packages.CalibrationPath,
            RollbackMaxAgeHours = 24,
        },
        PhysicalSystems.Get(TrainedPackages.System).CreateDevice(TrainedPackages.DeviceId, 11),
        NullLogger.Instance);

    private async Task<ModelStore> OpenWithThreeVersionsAsync(string[]? moreKeys = null, string[]? revoked = null)
    {
        var store = Open(moreKeys, revoked);
        for (var v = 1; v <= 3; v++)
        {
            var package = packages.Package(packages.Trained, v).AsMemory();
            Assert.True((await store.InstallAsync(package, TestContext.Current.CancellationToken)).Accepted);
        }

        return store;
    }

    private ModelRollbackInstruction Instruction(int to, string? device = null, TimeSpan? age = null) => new()
    {
        DeviceId = device ?? TrainedPackages.DeviceId,
        ToVersion = to,
        IssuedAt = DateTimeOffset.UtcNow - (age ?? TimeSpan.Zero),
        Nonce = Guid.NewGuid(),
        KeyId = PackageSigning.KeyId(packages.Key),
    };

    private static Task<RollbackInstructionResult> Apply(
        ModelStore store,
        ModelRollbackInstruction instruction,
        ECDsa key)
    {
        var (decoded, signed) = ModelRollbackSigning.Decode(ModelRollbackSigning.Encode(instruction, key));
        return store.ApplyRollbackAsync(decoded, signed, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_good_instruction_activates_the_version_and_keeps_the_floor()
    {
        using var store = await OpenWithThreeVersionsAsync();

        var result = await Apply(store, Instruction(1), packages.Key);

        Assert.True(result.Accepted, result.Reason);
        Assert.Equal(1, store.ActiveVersion);
        Assert.Equal(3, store.Floor);
        var older = packages.Package(packages.Trained, 2).AsMemory();
        var reinstall = await store.InstallAsync(older, TestContext.Current.CancellationToken);
        Assert.Contains("floor 3", reinstall.Reason, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Category", "Security")]
    public async Task Wrong_device_bad_signature_stale_unknown_version_and_untrusted_key_are_refused()
    {
        using var store = await OpenWithThreeVersionsAsync();
        var forged = Instruction(1);
        var otherKeyId = PackageSigning.KeyId(packages.OtherKey);

        var cases = new (Task<RollbackInstructionResult> Result, string Expected)[]
        {
            (Apply(store, Instruction(1, device: "sim-0002"), packages.Key), "is for device 'sim-0002'"),
            (Apply(store, forged, packages.OtherKey), "signature does not verify"),
            (Apply(store, forged with { KeyId = otherKeyId }, packages.OtherKey), "not in this agent's trust set"),
            (Apply(store, forged with { KeyId = "not-a-key-id" }, packages.Key), "'keyId' must be 16"),
            (Apply(store, Instruction(1, age: TimeSpan.FromHours(25)), packages.Key), "it is stale"),
            (Apply(store, Instruction(1, age: TimeSpan.FromHours(-1)), packages.Key), "in the future"),
            (Apply(store, Instruction(9), packages.Key), "version 9 is not installed"),
        };

        var refused = 0;
        foreach (var (result, expected) in cases)
        {
            var verdict = await result;
            Assert.False(verdict.Accepted, expected);
            Assert.Contains(expected, verdict.Reason, StringComparison.Ordinal);
            refused++;
        }

        Assert.Equal(3, store.ActiveVersion);
        SecurityReport.Record(
            "rollback-forged",
            "Forged rollback instructions: another device, wrong key, untrusted key, bad key id, stale, future, "
                + "unknown version",
            "dotnet test --project tests/Edge.Agent.Tests -c Release -- --filter-method '*Wrong_device_bad_signature*'",
            "each refused with its reason; active version unchanged",
            $"{refused} of {cases.Length} refused; active v{store.ActiveVersion}",
            refused == cases.Length && store.ActiveVersion == 3);
    }

    [Fact]
    public async Task An_instruction_signed_with_a_revoked_key_of_the_trust_set_is_refused()
    {
        var otherPublic = Path.Combine(_store.Path, "other.pub.pem");
        var pem = packages.OtherKey.ExportSubjectPublicKeyInfoPem();
        await File.WriteAllTextAsync(otherPublic, pem, TestContext.Current.CancellationToken);
        var otherId = PackageSigning.KeyId(packages.OtherKey);
        using var store = await OpenWithThreeVersionsAsync([otherPublic], [otherId]);

        var revoked = await Apply(store, Instruction(1) with { KeyId = otherId }, packages.OtherKey);

        Assert.False(revoked.Accepted);
        Assert.Contains("revoked", revoked.Reason, StringComparison.Ordinal);
        Assert.Equal(3, store.ActiveVersion);
    }

    [Fact]
    [Trait("Category", "Security")]
    public async Task A_replayed_or_older_instruction_is_refused_even_after_a_restart()
    {
        var older = Instruction(2, age: TimeSpan.FromMinutes(10));
        var good = Instruction(1);
        using (var store = await OpenWithThreeVersionsAsync())
        {
            Assert.True((await Apply(store, good, packages.Key)).Accepted);
            Assert.True((await store.RollbackAsync(3, "test", TestContext.Current.CancellationToken)) == 3);

            var replay = await Apply(store, good, packages.Key);
            Assert.Contains("replays are refused", replay.Reason, StringComparison.Ordinal);
            var olderReplay = await Apply(store, older, packages.Key);
            Assert.Contains("replays are refused", olderReplay.Reason, StringComparison.Ordinal);
            Assert.Equal(3, store.ActiveVersion);
        }

        using var reopened = Open();
        var afterRestart = await Apply(reopened, good, packages.Key);
        Assert.Contains("replays are refused", afterRestart.Reason, StringComparison.Ordinal);
        Assert.Equal(3, reopened.ActiveVersion);
        SecurityReport.Record(
            "rollback-replay",
            "Replay a captured, valid rollback instruction (and an older one), also after an agent restart",
            "dotnet test --project tests/Edge.Agent.Tests -c Release -- --filter-method "
                + "'*A_replayed_or_older_instruction*'",
            "refused: not newer than the last accepted",
            $"refused after restart; active v{reopened.ActiveVersion}",
            !afterRestart.Accepted && reopened.ActiveVersion == 3);
    }

    [Fact]
    public void A_malformed_instruction_is_a_format_error()
    {
        Assert.Throws<MessageFormatException>(() => ModelRollbackSigning.Decode("{\"schemaVersion\":1}"u8));
        var emptyInstruction = "{\"schemaVersion\":1,\"instruction\":\"e30=\",\"signature\":\"AA==\"}"u8.ToArray();
        Assert.Throws<MessageFormatException>(() => ModelRollbackSigning.Decode(emptyInstruction));
    }

    public void Dispose() => _store.Dispose();
}
