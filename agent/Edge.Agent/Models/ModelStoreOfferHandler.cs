using Edge.Agent.Messaging;
using Edge.Domain.Messaging;

namespace Edge.Agent.Models;

/// <summary>
/// Model offers arriving over MQTT go to the model store: verified against the trainer's key, validated on the
/// calibration set through the device, and activated only if good enough; the verdict goes back on <c>model/ack</c>.
/// </summary>
/// <param name="store">The agent's model store.</param>
public sealed class ModelStoreOfferHandler(ModelStore store) : IModelOfferHandler
{
    /// <inheritdoc />
    public async ValueTask<ModelOfferResult> HandleOfferAsync(ModelOffer offer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(offer);
        using var package = new MemoryStream(offer.Package.ToArray(), writable: false);
        try
        {
            var result = await store.InstallAsync(package, cancellationToken).ConfigureAwait(false);
            return new ModelOfferResult(result.Accepted, result.Reason);
        }
        catch (ModelStoreException e)
        {
            return new ModelOfferResult(false, e.Message);
        }
    }
}
