using Edge.Domain.Devices;
using Edge.Domain.Models;
using Edge.Domain.Simulation;
using Edge.Domain.Specs;
using Edge.Trainer.Neural;
using Edge.Trainer.Twins;

namespace Edge.Trainer.Training;

/// <summary>
/// A physical layer inside a hybrid PNN. Its drive is the layer input followed (per the spec's layout) by its
/// trainable parameters θ. Forward runs on the device or on a twin; backward always takes the vector-Jacobian
/// product of <see cref="GradientTwin"/> at the drives the DAC actually played (clipped and quantised), so the
/// gradient is zero where the DAC clips. A soft penalty keeps every drive value inside its allowed range, and θ is
/// clamped into its range after each step (a frozen range, lo == hi, pins it).
/// </summary>
public sealed class PhysicalLayer : PnnModule
{
    private const double PenaltyWeight = 5.0;
    private const double PenaltySharpness = 20.0;

    private readonly Parameter _theta;
    private readonly float[] _rawDrives;
    private readonly float[] _playedDrives;
    private readonly float[] _twinScratch;
    private readonly float[] _driveGradient;
    private readonly int _maxBatch;
    private TwinWorkspace? _forwardWorkspace;
    private TwinWorkspace? _gradientWorkspace;
    private ITwin? _forwardTwin;
    private ITwin? _gradientTwin;
    private double _penalty;
    private float[] _lastResponses = [];

    /// <summary>Creates the layer with θ drawn uniformly from the middle half of each parameter range.</summary>
    public PhysicalLayer(string name, LayerSpec spec, IPhysicalDevice device, int maxBatch, ulong seed)
    {
        Spec = spec;
        Device = device;
        _maxBatch = maxBatch;
        _theta = new Parameter($"{name}.theta", spec.ParameterSize);
        var random = new NoiseSource(seed);
        for (var p = 0; p < spec.ParameterSize; p++)
        {
            var range = spec.ParameterRanges[p];
            var centre = (range.Lo + range.Hi) / 2;
            _theta.Value[p] = (float)random.NextUniform(centre - (range.Width / 4), centre + (range.Width / 4));
        }

        _rawDrives = new float[maxBatch * spec.DriveLength];
        _playedDrives = new float[maxBatch * spec.DriveLength];
        _twinScratch = new float[maxBatch * spec.OutputSize];
        _driveGradient = new float[maxBatch * spec.DriveLength];
    }

    /// <summary>The layer spec.</summary>
    public LayerSpec Spec { get; }

    /// <summary>The device the layer's forward runs on in <see cref="PassKind.Device"/> passes.</summary>
    public IPhysicalDevice Device { get; }

    /// <summary>The trainable physical parameters.</summary>
    public Parameter Theta => _theta;

    /// <summary>Drives sent to the device so far.</summary>
    public long DrivesSent { get; private set; }

    /// <summary>Examples run through a twin so far (twin forwards and the backward pass's twin state).</summary>
    public long TwinPasses { get; private set; }

    /// <summary>
    /// When set, the backward pass takes the drive gradient from this feedback (e.g. direct feedback alignment)
    /// instead of the twin's vector-Jacobian product, and training forwards never run the twin.
    /// </summary>
    public IDriveFeedback? Feedback { get; set; }

    /// <summary>
    /// True when the physics gets no gradient (perturbative and local modes): training forwards never run the twin,
    /// and <see cref="Backward"/> passes back only the range penalty's gradient, which is exact without a twin since
    /// the penalty is a known function of the drives.
    /// </summary>
    public bool ForwardOnly { get; set; }

    /// <summary>
    /// Weight of the range penalty's gradient in <see cref="Backward"/> (1 by default): a mode that averages one
    /// step's gradient over several passes gives each pass its share.
    /// </summary>
    public double PenaltyGradientWeight { get; set; } = 1;

    /// <summary>Row-major drives of the last forward, as the DAC played them (clipped, quantised).</summary>
    public ReadOnlySpan<float> PlayedDrives(int batch) => _playedDrives.AsSpan(0, batch * Spec.DriveLength);

    /// <summary>Row-major responses of the last forward (device measurements in device passes).</summary>
    public ReadOnlySpan<float> LastResponses(int batch) => _lastResponses.AsSpan(0, batch * Spec.OutputSize);

    /// <summary>The twin that replaces the device in <see cref="PassKind.Twin"/> passes.</summary>
    public ITwin ForwardTwin
    {
        get => _forwardTwin ?? throw new InvalidOperationException("No forward twin set.");
        set
        {
            _forwardTwin = value;
            _forwardWorkspace = value.CreateWorkspace(_maxBatch);
        }
    }

    /// <summary>The twin whose vector-Jacobian product the backward pass uses.</summary>
    public ITwin GradientTwin
    {
        get => _gradientTwin ?? throw new InvalidOperationException("No gradient twin set.");
        set
        {
            _gradientTwin = value;
            _gradientWorkspace = ReferenceEquals(value, _forwardTwin) ? _forwardWorkspace
                : value.CreateWorkspace(_maxBatch);
        }
    }

    /// <inheritdoc />
    public override int InputSize => Spec.InputSize;

    /// <inheritdoc />
    public override int OutputSize => Spec.OutputSize;

    /// <inheritdoc />
    public override IReadOnlyList<Parameter> Parameters => [_theta];

    /// <inheritdoc />
    public override double Penalty => _penalty;

    /// <inheritdoc />
    public override async ValueTask ForwardAsync(float[] input, int batch, float[] output, PassKind pass, bool training,
        CancellationToken cancellationToken)
    {
        var driveLength = Spec.DriveLength;
        var outputs = Spec.OutputSize;
        PhysicalStageDrive.Assemble(Spec, input, batch, _theta.Value, _rawDrives);

        for (var i = 0; i < batch * driveLength; i++)
        {
            _playedDrives[i] = (float)Spec.Dac.Quantise(_rawDrives[i]);
        }

        var played = _playedDrives.AsMemory(0, batch * driveLength);
        _lastResponses = output;
        if (pass == PassKind.Device)
        {
            await Device.ForwardAsync(_rawDrives.AsMemory(0, batch * driveLength), output.AsMemory(0, batch * outputs),
                cancellationToken).ConfigureAwait(false);
            DrivesSent += batch;
        }
        else
        {
            ForwardTwin.Forward(played.Span, batch, output, _forwardWorkspace!);
            TwinPasses += batch;
        }

        if (!training)
        {
            return;
        }

        // The backward pass needs the gradient twin's state at the played drives; skip the work when the forward
        // twin already is that twin, or when no twin gradient will be asked for.
        var twinFree = ForwardOnly || Feedback is not null;
        if (!twinFree && (pass == PassKind.Device || !ReferenceEquals(_gradientWorkspace, _forwardWorkspace)))
        {
            GradientTwin.Forward(played.Span, batch, _twinScratch, _gradientWorkspace!);
            TwinPasses += batch;
        }

        _penalty = RangePenalty(batch);
    }

    /// <inheritdoc />
    public override void Backward(float[] input, int batch, float[] outputGradient, float[] inputGradient)
    {
        var driveLength = Spec.DriveLength;
        var gradient = _driveGradient.AsSpan(0, batch * driveLength);
        if (ForwardOnly)
        {
            gradient.Clear();
        }
        else if (Feedback is { } feedback)
        {
            feedback.DriveGradient(this, batch, gradient);
        }
        else
        {
            GradientTwin.Vjp(_gradientWorkspace!, outputGradient.AsSpan(0, batch * Spec.OutputSize), gradient);
        }

        var penaltyScale = PenaltyGradientWeight * PenaltyWeight / (batch * driveLength);
        for (var b = 0; b < batch; b++)
        {
            for (var s = 0; s < driveLength; s++)
            {
                var i = (b * driveLength) + s;
                var raw = _rawDrives[i];
                if (raw < Spec.Dac.Min || raw > Spec.Dac.Max)
                {
                    gradient[i] = 0;
                }

                var range = Spec.SegmentRange(s);
                if (!range.IsFrozen)
                {
                    var z = (raw - range.Lo) / range.Width;
                    var dPenaltyDz = Sigmoid(PenaltySharpness * (z - 1)) - Sigmoid(-PenaltySharpness * z);
                    gradient[i] += (float)(penaltyScale * dPenaltyDz / range.Width);
                }

                var slot = Spec.DriveLayout[s];
                if (slot.Kind == DriveSlotKind.Input)
                {
                    inputGradient[(b * InputSize) + slot.Index] = gradient[i];
                }
                else if (!Spec.ParameterRanges[slot.Index].IsFrozen)
                {
                    _theta.Gradient[slot.Index] += gradient[i];
                }
            }
        }
    }

    /// <inheritdoc />
    public override void AfterStep()
    {
        for (var p = 0; p < _theta.Value.Length; p++)
        {
            _theta.Value[p] = (float)Spec.ParameterRanges[p].Clamp(_theta.Value[p]);
        }
    }

    // 5·mean(softplus(20(z−1))/20 + softplus(−20z)/20) with z the drive scaled to its range (reference protocol).
    private double RangePenalty(int batch)
    {
        var driveLength = Spec.DriveLength;
        var sum = 0.0;
        for (var b = 0; b < batch; b++)
        {
            for (var s = 0; s < driveLength; s++)
            {
                var range = Spec.SegmentRange(s);
                if (range.IsFrozen)
                {
                    continue;
                }

                var z = (_rawDrives[(b * driveLength) + s] - range.Lo) / range.Width;
                sum += (Softplus(PenaltySharpness * (z - 1)) + Softplus(-PenaltySharpness * z)) / PenaltySharpness;
            }
        }

        return PenaltyWeight * sum / (batch * driveLength);
    }

    private static double Softplus(double x) => x > 30 ? x : Math.Log(1 + Math.Exp(x));

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));
}
