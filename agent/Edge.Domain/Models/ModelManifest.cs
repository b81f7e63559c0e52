using System.Text.Json.Serialization;
using Edge.Domain.Specs;

namespace Edge.Domain.Models;

/// <summary>
/// The signed description of a model package: what the model classifies, its stages in order, the SHA-256 of every
/// file the package carries, the devices it is for and the key that signed it. The signature covers the manifest
/// bytes, so it covers every listed file's content through its hash (not the zip container around them).
/// </summary>
public sealed record ModelManifest
{
    /// <summary>
    /// The manifest layout this version writes: version 2 added audio input (<see cref="ModelInput.Audio"/>), version 3
    /// physical banks (<see cref="ModelStage.Branches"/>), version 4 the signing key's id (<see cref="KeyId"/>) and the
    /// devices the package is for (<see cref="Targets"/>). Every package is written as version 4.
    /// </summary>
    public const int CurrentSchemaVersion = 4;

    /// <summary>The first layout with audio input.</summary>
    public const int AudioSchemaVersion = 2;

    /// <summary>The first layout with physical banks.</summary>
    public const int BankSchemaVersion = 3;

    /// <summary>
    /// The first layout that names its targets and key id: the only one a new install accepts (older layouts are read
    /// only when a store re-opens a package it installed before, see <see cref="ModelPackageReader"/>).
    /// </summary>
    public const int TargetedSchemaVersion = 4;

    /// <summary>The oldest manifest layout this version reads (plain feature-vector input).</summary>
    public const int MinimumSchemaVersion = 1;

    /// <summary>Layout version of this manifest; readers reject versions they do not know.</summary>
    public required int SchemaVersion { get; init; }

    /// <summary>Version of the model, a positive integer that grows with every model the trainer publishes.</summary>
    public required int ModelVersion { get; init; }

    /// <summary>Task the model solves, e.g. <c>vowels</c>.</summary>
    public required string Task { get; init; }

    /// <summary>Name of each class, by logit index.</summary>
    public required IReadOnlyList<string> ClassLabels { get; init; }

    /// <summary>What one example fed to the model looks like.</summary>
    public required ModelInput Input { get; init; }

    /// <summary>The stages, input first; each stage's output feeds the next.</summary>
    public required IReadOnlyList<ModelStage> Stages { get; init; }

    /// <summary>The black-box digital twin of the physical layer as ONNX, when the model was trained with
    /// one.</summary>
    public ModelTwin? Twin { get; init; }

    /// <summary>Every file in the package besides the manifest and its signature.</summary>
    public required IReadOnlyList<PackageFile> Files { get; init; }

    /// <summary>SHA-256 (lower-case hex) of the calibration set the agent validates the model on.</summary>
    public required string CalibrationSha256 { get; init; }

    /// <summary>The issue time: when the trainer built and signed the package (signed like every field).</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Who built it (host name or CI job).</summary>
    public required string TrainerId { get; init; }

    /// <summary>
    /// Id of the key that signed the package (<see cref="PackageSigning.KeyId"/>); required from schema 4, and it must
    /// be the id of the key that verifies the signature.
    /// </summary>
    public string? KeyId { get; init; }

    /// <summary>The devices the package is for; required from schema 4.</summary>
    public ModelTargets? Targets { get; init; }
}

/// <summary>Shape and meaning of one model input.</summary>
/// <param name="Size">Features per example.</param>
/// <param name="Encoding">How the features were derived; <see cref="FeatureVector"/> for a raw float vector.</param>
public sealed record ModelInput(int Size, string Encoding)
{
    /// <summary>Encoding of a plain vector of float features.</summary>
    public const string FeatureVector = "float32-features";

    /// <summary>
    /// Encoding of a sound: the model takes the standardised utterance vector of the audio front end described by
    /// <see cref="Audio"/>, so agents can classify WAV files and live capture (manifest schema version 2).
    /// </summary>
    public const string AudioMfcc = "audio-mfcc";

    /// <summary>With <see cref="AudioMfcc"/>: the front-end settings and standardisation that turn a sound into the
    /// features.</summary>
    public AudioInputEncoding? Audio { get; init; }
}

/// <summary>Whether a stage runs on the CPU or on the physical device.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<StageKind>))]
public enum StageKind
{
    /// <summary>A digital stage: an ONNX graph with input <c>input</c> [batch, in] and output <c>output</c> [batch,
    /// out].</summary>
    Digital,

    /// <summary>A physical layer: the drive is assembled from the stage input and <see
    /// cref="ModelStage.Theta"/>.</summary>
    Physical,
}

/// <summary>One stage of the model.</summary>
public sealed record ModelStage
{
    /// <summary>Name, e.g. <c>input</c>, <c>layer1</c>, <c>readout</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Digital or physical.</summary>
    public required StageKind Kind { get; init; }

    /// <summary>Values per example going in.</summary>
    public required int InputSize { get; init; }

    /// <summary>Values per example coming out.</summary>
    public required int OutputSize { get; init; }

    /// <summary>Digital stages: path of the ONNX file inside the package.</summary>
    public string? File { get; init; }

    /// <summary>Physical stages: the layer spec the parameters were trained for.</summary>
    public LayerSpec? Spec { get; init; }

    /// <summary>
    /// Physical stages: the trained parameters θ, in DAC units, one per spec parameter (branch after branch in a bank).
    /// </summary>
    public IReadOnlyList<float>? Theta { get; init; }

    /// <summary>
    /// Physical stages: a bank plays the layer this many times per example, branch k on the k-th slice of
    /// <see cref="Spec"/>'s inputs with the k-th θ, and concatenates the responses (schema 3). Absent for one layer.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Branches { get; init; }

    /// <summary>How many times the layer is played per example: <see cref="Branches"/>, or 1 when absent.</summary>
    [JsonIgnore]
    public int BranchCount => Branches ?? 1;
}

/// <summary>The twin file and the layer it models.</summary>
/// <param name="File">Path of the ONNX file inside the package (input <c>input</c> = drives, output <c>output</c> =
/// responses).</param>
/// <param name="LayerName">Name of the layer spec the twin models.</param>
public sealed record ModelTwin(string File, string LayerName);

/// <summary>One file of the package with its digest.</summary>
/// <param name="Path">Path inside the package (forward slashes).</param>
/// <param name="Sha256">SHA-256 of the content, lower-case hex.</param>
/// <param name="Length">Length in bytes.</param>
public sealed record PackageFile(string Path, string Sha256, long Length);
