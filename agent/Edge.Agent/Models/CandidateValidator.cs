using System.Globalization;
using Edge.Agent.Inference;
using Edge.Agent.Supervision;
using Edge.Domain.Models;

namespace Edge.Agent.Models;

/// <summary>
/// The calibration gate. A candidate with the same stage contents as the active model is accepted without a run.
/// Otherwise every calibration example is classified by the candidate and the active model back to back, for
/// <c>passes</c> passes, and the candidate is refused only if its accuracy is below the active model's minus the
/// tolerance and the one-sided exact sign test on the discordant pairs says it is worse at the given significance.
/// Only the calibration run touches the device; the active model is shared one example at a time.
/// </summary>
internal sealed class CandidateValidator(CalibrationSet calibration, int passes, double tolerance, double significance)
{
    /// <summary>Judges <paramref name="candidate"/> against <paramref name="active"/> (null: none active).</summary>
    public async Task<GateVerdict> ValidateAsync(
        HybridModel candidate,
        ModelLease? active,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        if (active is not null && StageIdentity.Same(candidate.Manifest, active.Manifest))
        {
            return new GateVerdict(true, null, null,
                $"Version {candidate.Version} holds the same stages and θ as the active "
                + $"version {active.Version}; accepted without a calibration run.");
        }

        return await CompareAsync(candidate, active, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The paired calibration run and the decision, without the identical-content shortcut.</summary>
    public async Task<GateVerdict> CompareAsync(
        HybridModel candidate,
        ModelLease? active,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        var features = new float[calibration.FeatureCount];
        int candidateRight = 0, activeRight = 0, losses = 0, wins = 0;
        for (var pass = 0; pass < passes; pass++)
        {
            for (var i = 0; i < calibration.Count; i++)
            {
                calibration.Row(i).CopyTo(features);
                var label = calibration.Labels[i];
                InferenceResult result;
                try
                {
                    result = await candidate.ClassifyAsync(features, cancellationToken).ConfigureAwait(false);
                }
                catch (DeviceParkedException)
                {
                    return Parked(candidate);
                }

                if (result.Degraded)
                {
                    // A model is validated on its hardware; the twin's score would let anything in.
                    return Parked(candidate);
                }

                var c = result.Label == label;
                candidateRight += c ? 1 : 0;
                if (active is null)
                {
                    continue;
                }

                var a = (await active.ClassifyAsync(features, cancellationToken).ConfigureAwait(false)).Label == label;
                activeRight += a ? 1 : 0;
                losses += a && !c ? 1 : 0;
                wins += c && !a ? 1 : 0;
            }
        }

        var pairs = passes * calibration.Count;
        var candidateAccuracy = (double)candidateRight / pairs;
        if (active is null)
        {
            return new GateVerdict(true, candidateAccuracy, null, string.Create(CultureInfo.InvariantCulture,
                $"Version {candidate.Version} installed and active (calibration accuracy {candidateAccuracy:P1})."));
        }

        var activeAccuracy = (double)activeRight / pairs;
        var p = SignTest.PValueWorse(losses, wins);
        var test = string.Create(CultureInfo.InvariantCulture,
            $"sign test: {losses} pairs only the active model got right, {wins} only the candidate, p = {p:0.####}");
        var below = candidateAccuracy < activeAccuracy - tolerance;
        if (below && p < significance)
        {
            return new GateVerdict(false, candidateAccuracy, activeAccuracy, string.Create(CultureInfo.InvariantCulture,
                $"Calibration accuracy {candidateAccuracy:P1} is below the active model {active.Version}'s "
                + $"{activeAccuracy:P1} "
                + $"minus the tolerance {tolerance:P1}, significantly ({test} < {significance}); version "
                + $"{candidate.Version} was not activated."));
        }

        var note = below ? $"below the active model's minus the tolerance, but not significantly ({test})" : test;
        return new GateVerdict(true, candidateAccuracy, activeAccuracy, string.Create(CultureInfo.InvariantCulture,
            $"Version {candidate.Version} installed and active (calibration accuracy {candidateAccuracy:P1}, active "
            + $"model {active.Version} {activeAccuracy:P1} on the same {pairs} examples; {note})."));
    }

    private static GateVerdict Parked(HybridModel candidate) => new(false, null, null, string.Create(
        CultureInfo.InvariantCulture,
        $"The device is parked after a fault, so version {candidate.Version} cannot be validated on it and was ")
        + "not activated; offer it again once the device is back in service.");
}

/// <summary>The gate's decision.</summary>
/// <param name="Accepted">True when the candidate may be activated.</param>
/// <param name="CandidateAccuracy">Its calibration accuracy, when it was run.</param>
/// <param name="ActiveAccuracy">The active model's accuracy on the same examples, when it was run.</param>
/// <param name="Reason">The decision in words, with the figures.</param>
internal sealed record GateVerdict(bool Accepted, double? CandidateAccuracy, double? ActiveAccuracy, string Reason);
