using Edge.Domain.Physics;
using Edge.Domain.Specs;

namespace Edge.Domain.Simulation.Field;

/// <summary>
/// A field plate (<see cref="FieldPlate"/>) played as a layer: the same sample-and-hold drive, RK4 step and bins as
/// the twin's <see cref="OdeLayerPhysics{TSystem}"/>, and ADC samples taken off their nominal instants by the sample
/// clock's jitter (first order: y(t + δ) ≈ h(x + δ·f(x, u))). Nothing is allocated per drive.
/// </summary>
public sealed class FieldPlatePhysics : IFieldPhysics
{
    private const int MaxState = 64;
    private const double MillisecondsPerNanosecond = 1e-6;
    private readonly FieldPlate _plate;
    private readonly int _stepsPerSegment;
    private readonly int _stepsPerBin;
    private readonly int _totalSteps;
    private readonly double _dtMs;
    private readonly double _stepSeconds;
    private readonly int _bins;

    /// <summary>Creates the layer.</summary>
    /// <param name="spec">The twin's layer: drive length and bin count.</param>
    /// <param name="plate">The part's plate.</param>
    /// <param name="stepsPerSegment">RK4 steps (ADC samples) per drive segment.</param>
    /// <param name="dtMs">RK4 step in milliseconds.</param>
    public FieldPlatePhysics(LayerSpec spec, FieldPlate plate, int stepsPerSegment, double dtMs)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentOutOfRangeException.ThrowIfLessThan(stepsPerSegment, 1);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dtMs);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(plate.StateSize, MaxState);
        _plate = plate;
        _stepsPerSegment = stepsPerSegment;
        _totalSteps = spec.DriveLength * stepsPerSegment;
        if (_totalSteps % spec.OutputSize != 0)
        {
            throw new ArgumentException(
                $"{_totalSteps} integration steps do not split evenly into {spec.OutputSize} bins.",
                nameof(stepsPerSegment));
        }

        _bins = spec.OutputSize;
        _stepsPerBin = _totalSteps / spec.OutputSize;
        _dtMs = dtMs;
        _stepSeconds = spec.Dac.SegmentSeconds / stepsPerSegment;
    }

    /// <inheritdoc />
    public int StateSize => _plate.StateSize;

    /// <inheritdoc />
    public int SamplesPerDrive => _totalSteps;

    /// <inheritdoc />
    public void Forward(ReadOnlySpan<double> coefficients, ReadOnlySpan<double> drive,
        ReadOnlySpan<double> sampleOffsetsNs, Span<double> output, Span<double> state)
    {
        var n = _plate.StateSize;
        var jittered = !sampleOffsetsNs.IsEmpty;
        Span<double> scratch = stackalloc double[5 * n];
        Span<double> rate = stackalloc double[n];
        Span<double> sampled = stackalloc double[n];
        output[.._bins].Clear();
        var inverseBin = 1.0 / _stepsPerBin;
        var step = 0;
        foreach (var u in drive)
        {
            for (var j = 0; j < _stepsPerSegment; j++)
            {
                OdeStepper.Rk4Step(_plate, coefficients, state, u, _dtMs, scratch);
                double y;
                if (jittered)
                {
                    var late = sampleOffsetsNs[step] * MillisecondsPerNanosecond;
                    _plate.Derivative(coefficients, state, u, rate);
                    for (var i = 0; i < n; i++)
                    {
                        sampled[i] = state[i] + (late * rate[i]);
                    }

                    y = _plate.Observe(coefficients, sampled);
                }
                else
                {
                    y = _plate.Observe(coefficients, state);
                }

                output[step / _stepsPerBin] += y * inverseBin;
                step++;
            }
        }
    }

    /// <inheritdoc />
    public void Relax(ReadOnlySpan<double> coefficients, Span<double> state, double seconds)
    {
        // Past a hundred drive lengths the damped plate has settled to rounding error.
        OdeStepper.Relax(_plate, coefficients, state, seconds / _stepSeconds, 100.0 * _totalSteps, _dtMs);
    }
}
