namespace Edge.Trainer.Training;

/// <summary>
/// The hyper-parameters of the backprop-free modes (dfa's feedback scale; zo's and local's SPSA directions,
/// perturbation and learning rate), chosen per physical system: a part's output scale and how slowly its network
/// leaves the plateau of its first epochs decide what works, so values tuned on one part can leave another at chance.
/// The searches behind each choice are in docs/benchmarks-notes.md (section "modes").
/// </summary>
/// <param name="FeedbackScale">dfa: <see cref="TrainingOptions.FeedbackScale"/>.</param>
/// <param name="Directions">zo and local: <see cref="TrainingOptions.PerturbationDirections"/>.</param>
/// <param name="Perturbation">zo and local: <see cref="TrainingOptions.PerturbationSize"/>.</param>
/// <param name="LearningRate">zo and local: <see cref="TrainingOptions.PerturbationLearningRate"/>.</param>
public sealed record BackpropFreeSettings(double FeedbackScale, int Directions, double Perturbation,
    double LearningRate)
{
    /// <summary>The settings tuned on the electronic part (vowels), used wherever no part has its own.</summary>
    public static BackpropFreeSettings Tuned { get; } = new(0.1, 8, 0.2, 0.02);

    /// <summary>
    /// The plate: dfa's feedback 10× the electronic part's, the best of the search on the field plate (vowels, one
    /// seed, 100 epochs: s 0.1 → 52 %, 1 → 58 %, 3 → 33 %). zo and local keep the electronic part's values.
    /// </summary>
    public static BackpropFreeSettings Mechanical { get; } = Tuned with { FeedbackScale = 1 };

    /// <summary>The settings chosen for <paramref name="system"/>.</summary>
    public static BackpropFreeSettings For(string system)
    {
        ArgumentNullException.ThrowIfNull(system);
        return system.Trim().ToLowerInvariant() == "mechanical" ? Mechanical : Tuned;
    }
}
