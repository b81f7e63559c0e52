using Edge.Domain.Messaging;

namespace Edge.Agent.Messaging;

/// <summary>
/// Receives model packages offered over MQTT. The model store implements it (verifying the signature and installing
/// the package); the MQTT service publishes the returned verdict on <c>model/ack</c>.
/// </summary>
public interface IModelOfferHandler
{
    /// <summary>Verifies and installs <paramref name="offer"/>, or says why not. Must not throw for a bad
    /// package.</summary>
    ValueTask<ModelOfferResult> HandleOfferAsync(ModelOffer offer, CancellationToken cancellationToken);
}

/// <summary>The verdict on a model offer.</summary>
/// <param name="Accepted">True when the package was installed.</param>
/// <param name="Reason">Why, in words (e.g. "signature does not verify", "installed version 3").</param>
public readonly record struct ModelOfferResult(bool Accepted, string Reason);

/// <summary>The handler used while no model store is registered: rejects every offer and says so.</summary>
public sealed class NoModelStoreOfferHandler : IModelOfferHandler
{
    /// <inheritdoc />
    public ValueTask<ModelOfferResult> HandleOfferAsync(ModelOffer offer, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new ModelOfferResult(false,
            "this agent has no model store configured; the package was not installed"));
}
