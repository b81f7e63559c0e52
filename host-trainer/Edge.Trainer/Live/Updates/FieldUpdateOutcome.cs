using Edge.Trainer.Training;

namespace Edge.Trainer.Live.Updates;

/// <summary>One field update: why it ran, what PAT achieved through the device, and the agent's verdict.</summary>
/// <param name="DeviceId">The device re-trained.</param>
/// <param name="Reason">Drift or schedule.</param>
/// <param name="DriftRise">
/// Rise of the twin residual over its post-training level when it started (null without a score).
/// </param>
/// <param name="TwinNmse">Validation NMSE of the twin refitted on fresh measurements of the device.</param>
/// <param name="AccuracyBefore">Test accuracy of the running model through the device, before re-training.</param>
/// <param name="AccuracyAfter">Test accuracy of the re-trained model through the device.</param>
/// <param name="Version">Version offered.</param>
/// <param name="Accepted">Whether the agent activated it.</param>
/// <param name="Verdict">The agent's reason.</param>
/// <param name="Curve">The PAT session's training curve.</param>
/// <param name="DrivesSent">Drives the device played for the session (twin data, training, evaluation).</param>
/// <param name="Seconds">Wall time of the session.</param>
/// <param name="At">When it finished.</param>
public sealed record FieldUpdateOutcome(
    string DeviceId,
    UpdateReason Reason,
    double? DriftRise,
    double TwinNmse,
    double AccuracyBefore,
    double AccuracyAfter,
    int Version,
    bool Accepted,
    string Verdict,
    IReadOnlyList<EpochRecord> Curve,
    long DrivesSent,
    double Seconds,
    DateTimeOffset At);
