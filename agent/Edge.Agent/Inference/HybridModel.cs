using System.Diagnostics;
using Edge.Agent.Messaging;
using Edge.Agent.Supervision;
using Edge.Domain.Devices;
using Edge.Domain.Models;

namespace Edge.Agent.Inference;

/// <summary>
/// A verified package made runnable on this agent: digital stages on ONNX Runtime, physical stages on the hosted
/// device with the drive assembled from the stage input and θ as in training. Every buffer is allocated here, once;
/// <see cref="ClassifyAsync"/> reuses them, so it is not safe to call concurrently (the store serialises calls).
/// While the device is parked by its supervisor, the physical stages run on the package's digital twin instead and
/// the result says so (<see cref="InferenceResult.Degraded"/>).
/// </summary>
public sealed class HybridModel : IDisposable
{
    private readonly IPhysicalDevice _device;
    private readonly Stage[] _stages;
    private readonly float[] _logits;
    private readonly DigitalTwinStages? _twin;

    /// <summary>Loads <paramref name="package"/>'s stages for <paramref name="device"/>; a stage this device cannot run
    /// is a <see cref="ModelPackageException"/>.</summary>
    public HybridModel(VerifiedModelPackage package, IPhysicalDevice device)
    {
        ArgumentNullException.ThrowIfNull(package);
        _device = device ?? throw new ArgumentNullException(nameof(device));
        Manifest = package.Manifest;
        _stages = new Stage[Manifest.Stages.Count];
        try
        {
            for (var i = 0; i < _stages.Length; i++)
            {
                var stage = Manifest.Stages[i];
                _stages[i] = stage.Kind == StageKind.Digital
                    ? new Stage(new DigitalStageSession(stage, package.File(stage.File!)), null)
                    : new Stage(null, new PhysicalBank(stage, device));
            }

            _twin = Array.Exists(_stages, stage => stage.Physical is not null)
                ? DigitalTwinStages.Load(package, device.Spec)
                : null;
        }
        catch
        {
            Dispose();
            throw;
        }

        _logits = new float[Manifest.ClassLabels.Count];
    }

    /// <summary>The manifest of the package this model was loaded from.</summary>
    public ModelManifest Manifest { get; }

    /// <summary>Model version.</summary>
    public int Version => Manifest.ModelVersion;

    /// <summary>Sees each drive played and its response (a sample goes to the host); null records nothing.</summary>
    public IMeasurementTap? Tap { get; set; }

    /// <summary>
    /// True when the package carries a twin of the hosted layer: inference goes on while the device is parked.
    /// </summary>
    public bool HasTwin => _twin is not null;

    /// <summary>Class logits of the last classification.</summary>
    public ReadOnlySpan<float> LastLogits => _logits;

    /// <summary>
    /// Classifies one example of <see cref="ModelInput.Size"/> finite features. Wrong sizes and NaN/∞ are rejected
    /// with an <see cref="ArgumentException"/> before anything reaches the device.
    /// </summary>
    public async ValueTask<InferenceResult> ClassifyAsync(ReadOnlyMemory<float> features,
        CancellationToken cancellationToken = default)
    {
        if (features.Length != Manifest.Input.Size)
        {
            throw new ArgumentException($"Model {Version} takes {Manifest.Input.Size} features; got {features.Length}.",
                nameof(features));
        }

        var bad = PhysicalStageDrive.FirstNonFinite(features.Span);
        if (bad >= 0)
        {
            throw new ArgumentException($"Feature {bad + 1} is {features.Span[bad]}; features must be finite numbers.",
                nameof(features));
        }

        if (_twin is not null && DeviceSupervisor.IsParkedBehind(_device))
        {
            return ClassifyOnTwin(features.Span);
        }

        try
        {
            return await ClassifyOnDeviceAsync(features, cancellationToken).ConfigureAwait(false);
        }
        catch (DeviceParkedException) when (_twin is not null)
        {
            // This very call parked the device: answer it from the twin like the ones that follow.
            return ClassifyOnTwin(features.Span);
        }
    }

    private async ValueTask<InferenceResult> ClassifyOnDeviceAsync(
        ReadOnlyMemory<float> features, CancellationToken cancellationToken)
    {
        long digitalTicks = 0;
        long deviceTicks = 0;
        // On the agent's shared device one classification keeps the device for all its stages: no PAT slice slips in.
        await using var device = await DeviceGate.LeaseAsync(_device, cancellationToken).ConfigureAwait(false);
        var start = Stopwatch.GetTimestamp();
        ReadOnlyMemory<float> current = features;
        for (var i = 0; i < _stages.Length; i++)
        {
            var stage = _stages[i];
            if (stage.Digital is { } digital)
            {
                current.Span.CopyTo(digital.Input);
                digital.Run();
                current = digital.Output;
            }
            else
            {
                var bank = stage.Physical!;
                for (var k = 0; k < bank.Branches.Length; k++)
                {
                    var physical = bank.Branches[k];
                    physical.Assemble(bank.InputOf(current.Span, k));
                    var before = Stopwatch.GetTimestamp();
                    await device.ForwardAsync(physical.Played, physical.Measured,
                        cancellationToken).ConfigureAwait(false);
                    deviceTicks += Stopwatch.GetTimestamp() - before;
                    Tap?.Observe(physical.Drive.Span, physical.Response.Span);
                    physical.Advance();
                    bank.Collect(k);
                }

                current = bank.Output;
            }
        }

        current.Span.CopyTo(_logits);
        var (best, confidence) = Softmax.ArgMaxWithProbability(_logits);
        digitalTicks += Stopwatch.GetTimestamp() - start - deviceTicks;
        return new InferenceResult(best, Manifest.ClassLabels[best], confidence,
            Stopwatch.GetElapsedTime(0, digitalTicks), Stopwatch.GetElapsedTime(0, deviceTicks));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var stage in _stages)
        {
            stage?.Digital?.Dispose();
        }

        _twin?.Dispose();
    }

    /// <summary>
    /// The same stages with each physical branch computed by the twin from the drive the device would play.
    /// </summary>
    private InferenceResult ClassifyOnTwin(ReadOnlySpan<float> features)
    {
        var twin = _twin!;
        var start = Stopwatch.GetTimestamp();
        var current = features;
        foreach (var stage in _stages)
        {
            if (stage.Digital is { } digital)
            {
                current.CopyTo(digital.Input);
                digital.Run();
                current = digital.Output;
                continue;
            }

            var bank = stage.Physical!;
            for (var k = 0; k < bank.Branches.Length; k++)
            {
                bank.Branches[k].AssembleInto(bank.InputOf(current, k), twin.Drive);
                twin.Run();
                bank.Collect(k, twin.Response);
            }

            current = bank.Output.Span;
        }

        current.CopyTo(_logits);
        var (best, confidence) = Softmax.ArgMaxWithProbability(_logits);
        var digitalTime = Stopwatch.GetElapsedTime(start);
        return new InferenceResult(best, Manifest.ClassLabels[best], confidence, digitalTime, TimeSpan.Zero)
        {
            Degraded = true,
        };
    }

    private sealed record Stage(DigitalStageSession? Digital, PhysicalBank? Physical);

    /// <summary>
    /// A physical stage: one layer, or a bank that plays the layer once per branch, each branch on its slice of the
    /// stage input with its own θ, as the trainer's parallel layers do; the responses are concatenated.
    /// </summary>
    private sealed class PhysicalBank
    {
        private readonly int _inputSize;
        private readonly int _outputSize;
        private readonly float[] _output;

        public PhysicalBank(ModelStage stage, IPhysicalDevice device)
        {
            var spec = stage.Spec!;
            var hosted = device.Spec;
            if (!string.Equals(hosted.Name, spec.Name, StringComparison.Ordinal) || hosted.InputSize != spec.InputSize
                || hosted.ParameterSize != spec.ParameterSize || hosted.OutputSize != spec.OutputSize
                    || hosted.DriveLength != spec.DriveLength)
            {
                throw new ModelPackageException(
                    $"Stage '{stage.Name}' was trained for layer '{spec.Name}' "
                        + $"({spec.InputSize}+{spec.ParameterSize}→{spec.OutputSize}) but device {device.DeviceId} "
                            + $"hosts '{hosted.Name}' "
                                + $"({hosted.InputSize}+{hosted.ParameterSize}→{hosted.OutputSize}).");
            }

            (_inputSize, _outputSize) = (spec.InputSize, spec.OutputSize);
            Branches = new PhysicalStage[stage.BranchCount];
            for (var k = 0; k < Branches.Length; k++)
            {
                Branches[k] = new PhysicalStage(spec,
                    stage.Theta!.Skip(k * spec.ParameterSize).Take(spec.ParameterSize).ToArray());
            }

            _output = new float[Branches.Length * _outputSize];
        }

        public PhysicalStage[] Branches { get; }

        /// <summary>The concatenated responses of the last example.</summary>
        public ReadOnlyMemory<float> Output => _output;

        public ReadOnlySpan<float> InputOf(ReadOnlySpan<float> input, int branch)
            => input.Slice(branch * _inputSize, _inputSize);

        public void Collect(int branch) => Collect(branch, Branches[branch].Response.Span);

        public void Collect(int branch, ReadOnlySpan<float> response)
            => response.CopyTo(_output.AsSpan(branch * _outputSize, _outputSize));
    }

    /// <summary>
    /// Training forwards a batch stage by stage, so on a device with memory (a resonator still ringing when the next
    /// drive starts) every drive follows another example's drive of the same stage. One example at a time, a drive
    /// would follow the other stage's drive instead — a context the model never saw, which costs a part with a long
    /// ring-down tens of points of accuracy. So each drive is played right after the previous example's drive of the
    /// same stage, as in training; the device plays two drives per stage, the response to the second one is used.
    /// </summary>
    private sealed class PhysicalStage
    {
        private readonly Domain.Specs.LayerSpec _spec;
        private readonly float[] _theta;
        private readonly float[] _played;
        private readonly float[] _measured;
        private bool _primed;

        public PhysicalStage(Domain.Specs.LayerSpec spec, float[] theta)
        {
            (_spec, _theta) = (spec, theta);
            _played = new float[2 * _spec.DriveLength];
            _measured = new float[2 * _spec.OutputSize];
        }

        /// <summary>The context drive and this example's drive, played back to back in one device call.</summary>
        public float[] Played => _played;

        /// <summary>The responses to <see cref="Played"/>.</summary>
        public float[] Measured => _measured;

        /// <summary>This example's drive.</summary>
        public ReadOnlyMemory<float> Drive => _played.AsMemory(_spec.DriveLength);

        /// <summary>The response to this example's drive.</summary>
        public ReadOnlyMemory<float> Response => _measured.AsMemory(_spec.OutputSize);

        public void Assemble(ReadOnlySpan<float> input)
        {
            var drive = _played.AsSpan(_spec.DriveLength);
            PhysicalStageDrive.Assemble(_spec, input, 1, _theta, drive);
            if (!_primed)
            {
                drive.CopyTo(_played);
                _primed = true;
            }
        }

        /// <summary>
        /// Assembles this example's drive into <paramref name="drive"/>, leaving the device's context alone.
        /// </summary>
        public void AssembleInto(ReadOnlySpan<float> input, Span<float> drive)
            => PhysicalStageDrive.Assemble(_spec, input, 1, _theta, drive);

        /// <summary>This drive becomes the context of the next example's drive of this stage.</summary>
        public void Advance() => _played.AsSpan(_spec.DriveLength).CopyTo(_played);
    }
}
