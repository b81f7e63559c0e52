using Edge.Domain.Specs;

namespace Edge.Domain.Physics;

/// <summary>
/// A layer whose physics is a driven ODE: the drive is a sample-and-hold waveform (one value per segment), the
/// ODE is integrated with classic RK4 at a fixed step, and the observation after every step is averaged into
/// consecutive output bins. Gradients come from the exact discrete adjoint of the RK4 steps, so they match finite
/// differences of <see cref="Forward"/> to rounding error.
/// </summary>
/// <typeparam name="TSystem">The ODE; a struct so the inner loop is devirtualised.</typeparam>
public sealed class OdeLayerPhysics<TSystem> : ISampledPhysics
    where TSystem : struct, IOdeSystem
{
    private const int MaxStackState = 64;
    private readonly TSystem _system;
    private readonly int _stepsPerSegment;
    private readonly int _stepsPerBin;
    private readonly int _totalSteps;
    private readonly double _dt;

    /// <summary>Creates the layer physics.</summary>
    /// <param name="spec">The layer; its drive length is the segment count and its output size the bin count.</param>
    /// <param name="system">The ODE.</param>
    /// <param name="coefficients">The ODE's coefficients, in the order <paramref name="system"/> reads them.</param>
    /// <param name="stepsPerSegment">RK4 steps per drive segment.</param>
    /// <param name="dt">RK4 step, in the ODE's time unit.</param>
    public OdeLayerPhysics(LayerSpec spec, TSystem system, IReadOnlyList<PhysicalCoefficient> coefficients,
        int stepsPerSegment, double dt)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentOutOfRangeException.ThrowIfLessThan(stepsPerSegment, 1);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dt);
        if (system.StateSize > MaxStackState)
        {
            throw new ArgumentException($"State size {system.StateSize} exceeds {MaxStackState}.", nameof(system));
        }

        _totalSteps = spec.DriveLength * stepsPerSegment;
        if (_totalSteps % spec.OutputSize != 0)
        {
            throw new
                ArgumentException($"{_totalSteps} integration steps do not split evenly into {spec.OutputSize} bins.",
                    nameof(stepsPerSegment));
        }

        Spec = spec;
        _system = system;
        Coefficients = coefficients;
        _stepsPerSegment = stepsPerSegment;
        _stepsPerBin = _totalSteps / spec.OutputSize;
        _dt = dt;
    }

    /// <inheritdoc />
    public LayerSpec Spec { get; }

    /// <inheritdoc />
    public IReadOnlyList<PhysicalCoefficient> Coefficients { get; }

    /// <inheritdoc />
    public int TapeLength => (_totalSteps + 1) * _system.StateSize;

    /// <summary>Integration step.</summary>
    public double TimeStep => _dt;

    /// <inheritdoc />
    public int StateSize => _system.StateSize;

    /// <summary>Wall-clock seconds one integration step stands for (a DAC segment is held for <c>stepsPerSegment</c>
    /// steps).</summary>
    public double StepSeconds => Spec.Dac.SegmentSeconds / _stepsPerSegment;

    /// <inheritdoc />
    public void Forward(ReadOnlySpan<double> coefficients, ReadOnlySpan<double> drive, Span<double> output, Span<double>
        tape)
    {
        Span<double> x = stackalloc double[_system.StateSize];
        x.Clear();
        Integrate(coefficients, drive, output, tape, x);
    }

    /// <inheritdoc />
    public void ForwardFrom(ReadOnlySpan<double> coefficients, ReadOnlySpan<double> drive, Span<double>
        output, Span<double> state)
        => Integrate(coefficients, drive, output, [], state);

    /// <inheritdoc />
    public void Relax(ReadOnlySpan<double> coefficients, Span<double> state, double seconds)
    {
        // Past a hundred drive lengths any passive layer has settled to rounding error.
        OdeStepper.Relax(_system, coefficients, state, seconds / StepSeconds, 100.0 * _totalSteps, _dt);
    }

    /// <inheritdoc />
    public void Step(ReadOnlySpan<double> coefficients, Span<double> state, double drive)
    {
        Span<double> scratch = stackalloc double[5 * _system.StateSize];
        Rk4Step(coefficients, state, drive, scratch);
    }

    /// <inheritdoc />
    public double Observe(ReadOnlySpan<double> coefficients, ReadOnlySpan<double> state)
        => _system.Observe(coefficients, state);

    private void Integrate(ReadOnlySpan<double> coefficients, ReadOnlySpan<double> drive, Span<double>
        output, Span<double> tape, Span<double> x)
    {
        var n = _system.StateSize;
        var record = !tape.IsEmpty;
        Span<double> scratch = stackalloc double[5 * n];
        output[..Spec.OutputSize].Clear();
        if (record)
        {
            x.CopyTo(tape);
        }

        var inverseBin = 1.0 / _stepsPerBin;
        var step = 0;
        for (var segment = 0; segment < drive.Length; segment++)
        {
            var u = drive[segment];
            for (var j = 0; j < _stepsPerSegment; j++)
            {
                Rk4Step(coefficients, x, u, scratch);
                step++;
                output[(step - 1) / _stepsPerBin] += _system.Observe(coefficients, x) * inverseBin;
                if (record)
                {
                    x.CopyTo(tape.Slice(step * n, n));
                }
            }
        }
    }

    /// <inheritdoc />
    public void Backward(
        ReadOnlySpan<double> coefficients,
        ReadOnlySpan<double> drive,
        ReadOnlySpan<double> tape,
        ReadOnlySpan<double> outputGradient,
        Span<double> driveGradient,
        Span<double> coefficientGradient)
    {
        var n = _system.StateSize;
        Span<double> adjoint = stackalloc double[n];
        Span<double> scratch = stackalloc double[9 * n];
        adjoint.Clear();
        driveGradient[..drive.Length].Clear();
        var inverseBin = 1.0 / _stepsPerBin;
        for (var step = _totalSteps; step >= 1; step--)
        {
            var after = tape.Slice(step * n, n);
            _system.ObserveVjp(coefficients, after, outputGradient[(step - 1) / _stepsPerBin] * inverseBin, adjoint,
                coefficientGradient);
            var segment = (step - 1) / _stepsPerSegment;
            var before = tape.Slice((step - 1) * n, n);
            Rk4StepVjp(coefficients, before, drive[segment], adjoint, ref driveGradient[segment], coefficientGradient,
                scratch);
        }
    }

    private void Rk4Step(ReadOnlySpan<double> c, Span<double> x, double u, Span<double> scratch)
        => OdeStepper.Rk4Step(_system, c, x, u, _dt, scratch);

    // Back-propagates the adjoint through one RK4 step taken from state `before`; on return `adjoint`
    // holds dL/d(before). Stage states are recomputed rather than taped: cheaper than the memory traffic.
    private void Rk4StepVjp(
        ReadOnlySpan<double> c,
        ReadOnlySpan<double> before,
        double u,
        Span<double> adjoint,
        ref double driveGradient,
        Span<double> coefficientGradient,
        Span<double> scratch)
    {
        var n = before.Length;
        var h = _dt;
        var k = scratch[..n];
        var xb = scratch.Slice(n, n);
        var xc = scratch.Slice(2 * n, n);
        var xd = scratch.Slice(3 * n, n);
        var a = scratch.Slice(4 * n, n);
        var v = scratch.Slice(5 * n, n);
        var total = scratch.Slice(6 * n, n);

        _system.Derivative(c, before, u, k);
        for (var i = 0; i < n; i++)
        {
            xb[i] = before[i] + (0.5 * h * k[i]);
        }

        _system.Derivative(c, xb, u, k);
        for (var i = 0; i < n; i++)
        {
            xc[i] = before[i] + (0.5 * h * k[i]);
        }

        _system.Derivative(c, xc, u, k);
        for (var i = 0; i < n; i++)
        {
            xd[i] = before[i] + (h * k[i]);
        }

        adjoint.CopyTo(total);

        // Stage 4: k4 = f(xd), dL/dk4 = h/6 ḡ.
        for (var i = 0; i < n; i++)
        {
            a[i] = h / 6.0 * adjoint[i];
        }

        StageVjp(c, xd, u, a, v, total, ref driveGradient, coefficientGradient);

        // Stage 3: k3 = f(xc), dL/dk3 = h/3 ḡ + h·dL/dxd.
        for (var i = 0; i < n; i++)
        {
            a[i] = (h / 3.0 * adjoint[i]) + (h * v[i]);
        }

        StageVjp(c, xc, u, a, v, total, ref driveGradient, coefficientGradient);

        // Stage 2: k2 = f(xb), dL/dk2 = h/3 ḡ + h/2·dL/dxc.
        for (var i = 0; i < n; i++)
        {
            a[i] = (h / 3.0 * adjoint[i]) + (0.5 * h * v[i]);
        }

        StageVjp(c, xb, u, a, v, total, ref driveGradient, coefficientGradient);

        // Stage 1: k1 = f(x), dL/dk1 = h/6 ḡ + h/2·dL/dxb.
        for (var i = 0; i < n; i++)
        {
            a[i] = (h / 6.0 * adjoint[i]) + (0.5 * h * v[i]);
        }

        StageVjp(c, before, u, a, v, total, ref driveGradient, coefficientGradient);
        total.CopyTo(adjoint);
    }

    private void StageVjp(
        ReadOnlySpan<double> c,
        ReadOnlySpan<double> stageState,
        double u,
        ReadOnlySpan<double> stageAdjoint,
        Span<double> stateGradient,
        Span<double> total,
        ref double driveGradient,
        Span<double> coefficientGradient)
    {
        stateGradient.Clear();
        _system.DerivativeVjp(c, stageState, u, stageAdjoint, stateGradient, ref driveGradient, coefficientGradient);
        for (var i = 0; i < total.Length; i++)
        {
            total[i] += stateGradient[i];
        }
    }
}
