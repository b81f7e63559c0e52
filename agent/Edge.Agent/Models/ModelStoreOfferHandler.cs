using Edge.Agent.Messaging;
using Edge.Domain.Messaging;

namespace Edge.Agent.Models;

/// <summary>
/// Model offers and signed rollback instructions arriving over MQTT go to the model store: an offer is spooled to disk,
/// verified, screened against the floor and the refused packages, validated on the calibration set through the device,
/// and activated only if good enough; the verdict goes back on <c>model/ack</c>.
/// </summary>
/// <param name="store">The agent's model store.</param>
public sealed class ModelStoreOfferHandler(ModelStore store) : IModelOfferHandler, IModelRollbackHandler
{
    /// <inheritdoc />
    public async ValueTask<ModelOfferResult> HandleOfferAsync(ModelOffer offer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(offer);
        try
        {
            var result = await store.InstallAsync(offer.Package, cancellationToken).ConfigureAwait(false);
            return new ModelOfferResult(result.Accepted, result.Reason);
        }
        catch (Exception e) when (e is ModelStoreException or IOException or UnauthorizedAccessException)
        {
            return new ModelOfferResult(false, e.Message);
        }
    }

    /// <inheritdoc />
    public async ValueTask<ModelOfferResult> HandleRollbackAsync(
        ModelRollbackInstruction instruction,
        ModelRollbackMessage signed,
        CancellationToken cancellationToken)
    {
        try
        {
            var result = await store.ApplyRollbackAsync(instruction, signed, cancellationToken).ConfigureAwait(false);
            return new ModelOfferResult(result.Accepted, result.Reason);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new ModelOfferResult(false, $"the model store failed: {e.Message}");
        }
    }
}
