namespace Edge.Agent.Models;

/// <summary>What <see cref="ModelStore.InstallAsync(Stream, CancellationToken)"/> decided about a package.</summary>
/// <param name="Accepted">True when the package was stored and activated.</param>
/// <param name="Version">Model version from the manifest, or 0 when the package could not be read.</param>
/// <param name="CandidateAccuracy">Calibration accuracy of the candidate, when it got that far.</param>
/// <param name="ActiveAccuracy">Calibration accuracy of the model that was active, when there was one.</param>
/// <param name="Reason">Why the package was rejected, or a summary of the activation.</param>
public sealed record InstallResult(bool Accepted, int Version, double? CandidateAccuracy, double? ActiveAccuracy,
    string Reason);

/// <summary>One installed version as the store reports it.</summary>
/// <param name="Version">Model version.</param>
/// <param name="Active">True for the version that serves classifications.</param>
/// <param name="CalibrationAccuracy">Accuracy on the calibration set at install time.</param>
/// <param name="InstalledAt">When it was installed.</param>
/// <param name="Task">Task of the model.</param>
/// <param name="TrainerId">Who built it.</param>
public sealed record ModelVersionInfo(int Version, bool Active, double CalibrationAccuracy, DateTimeOffset InstalledAt,
    string Task, string TrainerId);
