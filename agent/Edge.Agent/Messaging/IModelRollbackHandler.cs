using Edge.Domain.Messaging;

namespace Edge.Agent.Messaging;

/// <summary>
/// Carries out signed rollback instructions arriving on <c>model/rollback</c>. An <see cref="IModelOfferHandler"/> that
/// also implements this receives them; otherwise they are refused.
/// </summary>
public interface IModelRollbackHandler
{
    /// <summary>Verifies and carries out <paramref name="instruction"/>, or says why not; never throws for a bad one.
    /// </summary>
    ValueTask<ModelOfferResult> HandleRollbackAsync(
        ModelRollbackInstruction instruction,
        ModelRollbackMessage signed,
        CancellationToken cancellationToken);
}
