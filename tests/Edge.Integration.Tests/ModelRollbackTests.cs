using Edge.Agent.Messaging;
using Edge.Domain.Messaging;
using Edge.Domain.Models;
using Edge.Trainer.Live;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Integration.Tests;

/// <summary>The trainer sends a signed rollback instruction to a live agent over mosquitto; the verdict comes back.
/// </summary>
public sealed class ModelRollbackTests
{
    private const string Device = "rollback-agent";

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_signed_instruction_reaches_the_agent_decoded_and_its_verdict_echoes_the_nonce()
    {
        await using var broker = TestBroker.Create("mosquitto");
        await broker.StartAsync();
        using var folder = new TempFolder();
        using var key = PackageSigning.CreateKey();
        var store = new RollbackByKey(key);
        await using var agent = await AgentInstance.StartAsync(
            broker.Port, Device, folder.Path("outbox.db"), configure: s => s.AddSingleton<IModelOfferHandler>(store));
        var options = Lab(broker.Port);
        var instruction = Instruction(Device, key);

        var payload = ModelRollbackSigning.Encode(instruction, key);
        var ack = await ModelPublisher.RollbackAsync(
            options, instruction, payload, Patience, TestContext.Current.CancellationToken);

        Assert.True(ack.Accepted, ack.Reason);
        Assert.Equal(instruction.Nonce, ack.OfferId);
        Assert.Equal("version 4 active", ack.Reason);
        Assert.Equal([instruction], store.Seen);
    }

    [Fact]
    public async Task An_agent_without_a_model_store_refuses_the_instruction()
    {
        await using var broker = TestBroker.Create("mosquitto");
        await broker.StartAsync();
        using var folder = new TempFolder();
        using var key = PackageSigning.CreateKey();
        await using var agent = await AgentInstance.StartAsync(broker.Port, Device, folder.Path("outbox.db"));
        var options = Lab(broker.Port);
        var instruction = Instruction(Device, key) with { ToVersion = 1 };

        var payload = ModelRollbackSigning.Encode(instruction, key);
        var ack = await ModelPublisher.RollbackAsync(
            options, instruction, payload, Patience, TestContext.Current.CancellationToken);

        Assert.False(ack.Accepted);
        Assert.Contains("no model store", ack.Reason, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Category", "Security")]
    public async Task Over_the_shipped_broker_the_trainer_may_send_a_rollback_and_a_device_may_not()
    {
        await using var broker = await ShippedBroker.StartAsync();
        using var folder = new TempFolder();
        using var key = PackageSigning.CreateKey();
        var cancel = TestContext.Current.CancellationToken;
        var store = new RollbackByKey(key);
        const string device = ShippedBroker.DeviceA;
        await using var agent = await AgentInstance.StartAsync(
            broker.DevicePort,
            device,
            folder.Path("outbox.db"),
            broker.AgentSettings(device),
            s => s.AddSingleton<IModelOfferHandler>(store));
        var instruction = Instruction(device, key);
        var payload = ModelRollbackSigning.Encode(instruction, key);
        var asDevice = broker.Trainer("x") with
        {
            Port = broker.DevicePort,
            ClientCertificateFile = Path.Combine(broker.Certificates, "devices", ShippedBroker.DeviceB + ".crt"),
            ClientKeyFile = Path.Combine(broker.Certificates, "devices", ShippedBroker.DeviceB + ".key"),
        };

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(
            () => ModelPublisher.RollbackAsync(asDevice, instruction, payload, Patience, cancel));
        var trainer = broker.Trainer("rollback");
        var ack = await ModelPublisher.RollbackAsync(trainer, instruction, payload, Patience, cancel);

        Assert.Contains("NotAuthorized", refused.Message, StringComparison.Ordinal);
        Assert.True(ack.Accepted, ack.Reason);
        Assert.Equal(device, ack.DeviceId);
        Assert.Equal([instruction], store.Seen);
        SecurityReport.Record(
            "rollback-from-device",
            "Signed rollback instruction published with a device certificate instead of the trainer's",
            SecurityReport.TestCommand("Edge.Integration.Tests", nameof(
                Over_the_shipped_broker_the_trainer_may_send_a_rollback_and_a_device_may_not)),
            "NotAuthorized; the trainer's rollback reaches the agent once",
            $"device: {refused.Message}; trainer's rollback accepted: {ack.Accepted}; agent saw {store.Seen.Count}",
            refused.Message.Contains("NotAuthorized", StringComparison.Ordinal) && store.Seen.Count == 1);
    }

    private static ModelRollbackInstruction Instruction(string device, System.Security.Cryptography.ECDsa key) => new()
    {
        DeviceId = device,
        ToVersion = 4,
        IssuedAt = DateTimeOffset.UtcNow,
        Nonce = Guid.NewGuid(),
        KeyId = PackageSigning.KeyId(key),
    };

    private static BrokerOptions Lab(int port)
        => new() { Host = "127.0.0.1", Port = port, UseTls = false, AllowPlaintext = true, ClientId = "rollback" };

    /// <summary>Stands in for the model store (tested alone in Edge.Agent.Tests): obeys what its key signed.</summary>
    private sealed class RollbackByKey(System.Security.Cryptography.ECDsa key)
        : IModelOfferHandler, IModelRollbackHandler
    {
        public List<ModelRollbackInstruction> Seen { get; } = [];

        public ValueTask<ModelOfferResult> HandleOfferAsync(ModelOffer offer, CancellationToken cancellationToken)
            => ValueTask.FromResult(new ModelOfferResult(false, "offers are not part of this test"));

        public ValueTask<ModelOfferResult> HandleRollbackAsync(
            ModelRollbackInstruction instruction,
            ModelRollbackMessage signed,
            CancellationToken cancellationToken)
        {
            Seen.Add(instruction);
            return ValueTask.FromResult(ModelRollbackSigning.Verify(signed, key)
                ? new ModelOfferResult(true, $"version {instruction.ToVersion} active")
                : new ModelOfferResult(false, "bad signature"));
        }
    }
}
