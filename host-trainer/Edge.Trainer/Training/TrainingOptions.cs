namespace Edge.Trainer.Training;

/// <summary>Hyper-parameters of a training run (defaults: the reference protocol).</summary>
public sealed record TrainingOptions
{
    /// <summary>Passes over the training set.</summary>
    public int Epochs { get; init; } = 100;

    /// <summary>Minibatch size.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Adam learning rate.</summary>
    public double LearningRate { get; init; } = 0.01;

    /// <summary>How the step size changes over the run.</summary>
    public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Constant;

    /// <summary>
    /// Standard deviation of Gaussian noise added to every training input afresh each time it is drawn (0 = none):
    /// a regulariser that keeps the network from fitting its training speakers' exact feature values.
    /// </summary>
    public double InputNoise { get; init; }

    /// <summary>Device passes over the test set averaged into the reported accuracy (noise is fresh each
    /// pass).</summary>
    public int EvaluationPasses { get; init; } = 5;

    /// <summary>Record a one-pass test accuracy every this many epochs for the training curve (0 = never).</summary>
    public int CurveEvery { get; init; } = 10;

    /// <summary>pat-refine: Adam learning rate of the twin's online fine-tuning.</summary>
    public double RefineLearningRate { get; init; } = 2e-4;

    /// <summary>zo and local: random ±1 directions per step, each played at +c and −c (2 device passes each).</summary>
    public int PerturbationDirections { get; init; } = BackpropFreeSettings.Tuned.Directions;

    /// <summary>zo and local: SPSA's c, the perturbation as a fraction of each value's scale (decays as
    /// k^−0.101).</summary>
    public double PerturbationSize { get; init; } = BackpropFreeSettings.Tuned.Perturbation;

    /// <summary>
    /// zo and local: Adam learning rate, in place of <see cref="LearningRate"/> (their estimates are noisier than a
    /// gradient; on vowels zo reached 80 % at 0.01 and 93 % at 0.02, one seed).
    /// </summary>
    public double PerturbationLearningRate { get; init; } = BackpropFreeSettings.Tuned.LearningRate;

    /// <summary>
    /// dfa: standard deviation of the fixed random feedback matrix's entries times √classes (B ~ N(0, s²/classes)):
    /// sets δ against the range penalty's gradient on the same drives.
    /// </summary>
    public double FeedbackScale { get; init; } = BackpropFreeSettings.Tuned.FeedbackScale;

    /// <summary>pat-refine: how many recent (drive, response) pairs are kept for replay.</summary>
    public int RefineMemory { get; init; } = 4_096;
}

/// <summary>One point of a training curve.</summary>
/// <param name="Epoch">Epoch number, from 1.</param>
/// <param name="TrainLoss">Mean training loss (cross-entropy plus range penalty).</param>
/// <param name="TrainAccuracy">Accuracy on the training batches as they were forwarded.</param>
/// <param name="TestAccuracy">One-pass device test accuracy, when measured this epoch.</param>
/// <param name="TrainingDrives">Drives played for training up to the end of this epoch (curve points excluded).</param>
public sealed record EpochRecord(
    int Epoch, double TrainLoss, double TrainAccuracy, double? TestAccuracy, long TrainingDrives = 0);

/// <summary>What a training run achieved.</summary>
/// <param name="Mode">Training mode.</param>
/// <param name="Seed">Seed of the run.</param>
/// <param name="TestAccuracy">Mean device test accuracy over the evaluation passes.</param>
/// <param name="PassAccuracies">Device test accuracy of each evaluation pass.</param>
/// <param name="TwinPredictedAccuracy">Test accuracy the twin predicts for the trained model.</param>
/// <param name="Confusion">Confusion counts [true, predicted] summed over the evaluation passes.</param>
/// <param name="Curve">Training curve.</param>
/// <param name="DrivesSent">Drives the device played for this run (training and evaluation).</param>
/// <param name="WallSeconds">Wall time of the run.</param>
/// <param name="TrainingDrives">Drives the device played while training (evaluation and curve points excluded).</param>
/// <param name="TwinPasses">Examples run through a twin while training (0: the mode never used one).</param>
public sealed record TrainingResult(
    TrainingMode Mode,
    ulong Seed,
    double TestAccuracy,
    IReadOnlyList<double> PassAccuracies,
    double TwinPredictedAccuracy,
    int[,] Confusion,
    IReadOnlyList<EpochRecord> Curve,
    long DrivesSent,
    double WallSeconds,
    long TrainingDrives = 0,
    long TwinPasses = 0);
