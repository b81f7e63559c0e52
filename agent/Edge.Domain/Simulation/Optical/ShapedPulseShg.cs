using Edge.Domain.Physics;
using Edge.Domain.Specs;

namespace Edge.Domain.Simulation.Optical;

/// <summary>
/// Second-harmonic generation of a spectrally shaped femtosecond pulse, read by a spectrometer:
/// E(ω_k) = t(d_{s(k)})·√S(ω_k)·e^{iφ_k}, S Gaussian, φ_k a quadratic spectral phase (chirp);
/// E₂(Ω_m) = Σ_{k+l=m} E_k E_l; each spectrometer bin integrates η·K·sinc²(Δk(Ω_m)L/2)·|E₂(Ω_m)|² over its SH
/// samples. No ODE: the forward pass is closed-form and <see cref="Backward"/> is its exact hand-written adjoint.
/// Coefficients: ν₀, σ, GDD, L, Ω_pm, η (see the index constants). Thread-safe: all scratch lives on the stack.
/// </summary>
public sealed class ShapedPulseShg : IDifferentiablePhysics
{
    /// <summary>Index of the laser's centre frequency ν₀ (THz).</summary>
    public const int CentreFrequency = 0;

    /// <summary>Index of the laser's spectral width σ: S(ν) = exp(−(ν − ν₀)²/(2σ²)) (THz).</summary>
    public const int Bandwidth = 1;

    /// <summary>Index of the residual group-delay dispersion (fs²) that sets the quadratic spectral phase.</summary>
    public const int Chirp = 2;

    /// <summary>Index of the crystal length L (mm).</summary>
    public const int CrystalLength = 3;

    /// <summary>Index of the SH frequency Ω_pm at which the crystal is phase-matched (THz).</summary>
    public const int PhaseMatchedFrequency = 4;

    /// <summary>Index of the overall efficiency η (pulse energy², χ(2), spectrometer responsivity; 1 =
    /// datasheet).</summary>
    public const int Efficiency = 5;

    private const int N = OpticalLayout.FundamentalSamples;
    private const int Window = OpticalLayout.WindowSamples;
    private const int FieldReOffset = 0;
    private const int FieldImOffset = N;
    private const int BaseReOffset = 2 * N;
    private const int BaseImOffset = 3 * N;
    private const int HarmonicReOffset = 4 * N;
    private const int HarmonicImOffset = (4 * N) + Window;

    // fs·THz = 1e-3: converts GVM·L·Δν and GDD·Δω² into radians.
    private const double FsTimesTHz = 1e-3;

    // Spectral phase per fs² of GDD per THz² of detuning: φ = GDD·(2π·Δν·1e-3)²/2.
    private const double ChirpPhasePerFs2PerTHz2 = 0.5 * (2 * Math.PI * FsTimesTHz) * (2 * Math.PI * FsTimesTHz);

    // Phase mismatch ΔkL/2 per THz of SH detuning per mm of crystal: π·GVM with GVM in fs/mm.
    private const double MismatchPerTHzPerMm = Math.PI * OpticalLayout.GroupVelocityMismatchFsPerMm * FsTimesTHz;

    private readonly double[] _fundamentalFrequency = new double[N];
    private readonly double[] _chirpPhasePerFs2 = new double[N];
    private readonly double[] _harmonicFrequency = new double[Window];
    private readonly double _outputScale;

    /// <summary>Creates the physics for <paramref name="spec"/> (24 segments, 12 bins) with datasheet <paramref
    /// name="coefficients"/>.</summary>
    public ShapedPulseShg(LayerSpec spec, IReadOnlyList<PhysicalCoefficient> coefficients)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(coefficients);
        if (spec.DriveLength != OpticalLayout.Channels || spec.OutputSize != OpticalLayout.Bins)
        {
            throw new ArgumentException(
                $"The optical layer needs {OpticalLayout.Channels} drive segments and {OpticalLayout.Bins} outputs; "
                    + $"spec '{spec.Name}' has {spec.DriveLength} and {spec.OutputSize}.",
                nameof(spec));
        }

        if (coefficients.Count != 6)
        {
            throw new ArgumentException($"Expected 6 coefficients (ν₀, σ, GDD, L, Ω_pm, η), got {coefficients.Count}.",
                nameof(coefficients));
        }

        Spec = spec;
        Coefficients = coefficients;
        for (var k = 0; k < N; k++)
        {
            _fundamentalFrequency[k] = OpticalLayout.FundamentalFrequency(k);
            var gridOffset = _fundamentalFrequency[k] - OpticalLayout.GridCentreTHz;
            _chirpPhasePerFs2[k] = ChirpPhasePerFs2PerTHz2 * gridOffset * gridOffset;
        }

        for (var w = 0; w < Window; w++)
        {
            _harmonicFrequency[w] = OpticalLayout.SecondHarmonicFrequency(OpticalLayout.WindowStart + w);
        }

        // K: the datasheet part with every channel fully open reads 1.0 in its brightest bin.
        _outputScale = 1.0;
        Span<double> nominal = stackalloc double[coefficients.Count];
        for (var i = 0; i < nominal.Length; i++)
        {
            nominal[i] = coefficients[i].Nominal;
        }

        Span<double> open = stackalloc double[OpticalLayout.Channels];
        open.Fill(1.0);
        Span<double> bins = stackalloc double[OpticalLayout.Bins];
        Forward(nominal, open, bins, []);
        var brightest = 0.0;
        foreach (var value in bins)
        {
            brightest = Math.Max(brightest, value);
        }

        _outputScale = 1.0 / brightest;
    }

    /// <inheritdoc />
    public LayerSpec Spec { get; }

    /// <inheritdoc />
    public IReadOnlyList<PhysicalCoefficient> Coefficients { get; }

    /// <inheritdoc />
    public int TapeLength => (4 * N) + (2 * Window);

    /// <summary>Fixed normalisation K of the spectrometer reading (datasheet part, shaper fully open → brightest bin
    /// 1.0).</summary>
    public double OutputScale => _outputScale;

    /// <inheritdoc />
    public void Forward(ReadOnlySpan<double> coefficients, ReadOnlySpan<double> drive, Span<double> output, Span<double>
        tape)
    {
        CheckLengths(coefficients, drive, output.Length);
        Span<double> record = tape.IsEmpty ? stackalloc double[TapeLength] : tape[..TapeLength];
        Span<double> reversed = stackalloc double[2 * N];
        var fieldRe = record.Slice(FieldReOffset, N);
        var fieldIm = record.Slice(FieldImOffset, N);
        var baseRe = record.Slice(BaseReOffset, N);
        var baseIm = record.Slice(BaseImOffset, N);
        ShapeField(coefficients, drive, fieldRe, fieldIm, baseRe, baseIm);

        var harmonicRe = record.Slice(HarmonicReOffset, Window);
        var harmonicIm = record.Slice(HarmonicImOffset, Window);
        SpectralConvolution.SumFrequency(fieldRe, fieldIm, reversed[..N], reversed[N..], OpticalLayout.WindowStart,
            harmonicRe, harmonicIm);

        var gain = coefficients[Efficiency] * _outputScale;
        Span<double> weights = stackalloc double[2 * Window];
        PhaseMatching(coefficients, weights[..Window], weights[Window..]);
        output.Clear();
        for (var w = 0; w < Window; w++)
        {
            var weight = weights[w];
            var power = (harmonicRe[w] * harmonicRe[w]) + (harmonicIm[w] * harmonicIm[w]);
            output[w / OpticalLayout.SamplesPerBin] += gain * weight * weight * power;
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
        CheckLengths(coefficients, drive, outputGradient.Length);
        if (tape.Length < TapeLength || driveGradient.Length != drive.Length || coefficientGradient.Length
            != coefficients.Length)
        {
            throw new
                ArgumentException($"Backward needs a tape of {TapeLength}, a drive gradient of {drive.Length} and a "
                    + $"coefficient gradient of {coefficients.Length}.");
        }

        var fieldRe = tape.Slice(FieldReOffset, N);
        var fieldIm = tape.Slice(FieldImOffset, N);
        var harmonicRe = tape.Slice(HarmonicReOffset, Window);
        var harmonicIm = tape.Slice(HarmonicImOffset, Window);

        // Ē₂ on the whole SH grid (zero outside the spectrometer window) so the adjoint is a fixed-length product.
        Span<double> harmonicGradient = stackalloc double[2 * OpticalLayout.SecondHarmonicSamples];
        harmonicGradient.Clear();
        var harmonicGradientRe = harmonicGradient[..OpticalLayout.SecondHarmonicSamples];
        var harmonicGradientIm = harmonicGradient[OpticalLayout.SecondHarmonicSamples..];
        var efficiency = coefficients[Efficiency];
        var length = coefficients[CrystalLength];
        var matched = coefficients[PhaseMatchedFrequency];
        Span<double> weights = stackalloc double[2 * Window];
        PhaseMatching(coefficients, weights[..Window], weights[Window..]);
        double efficiencyGradient = 0, lengthGradient = 0, matchedGradient = 0;
        for (var w = 0; w < Window; w++)
        {
            // x = π·GVM·L·(Ω − Ω_pm): ∂x/∂L = π·GVM·(Ω − Ω_pm), ∂x/∂Ω_pm = −π·GVM·L.
            var detuning = _harmonicFrequency[w] - matched;
            var weight = weights[w];
            var power = (harmonicRe[w] * harmonicRe[w]) + (harmonicIm[w] * harmonicIm[w]);
            var g = outputGradient[w / OpticalLayout.SamplesPerBin] * _outputScale;
            efficiencyGradient += g * weight * weight * power;
            var weightGradient = g * efficiency * 2 * weight * power * weights[Window + w];
            lengthGradient += weightGradient * MismatchPerTHzPerMm * detuning;
            matchedGradient -= weightGradient * MismatchPerTHzPerMm * length;
            var powerGradient = 2 * g * efficiency * weight * weight;
            harmonicGradientRe[OpticalLayout.WindowStart + w] = powerGradient * harmonicRe[w];
            harmonicGradientIm[OpticalLayout.WindowStart + w] = powerGradient * harmonicIm[w];
        }

        Span<double> fieldGradient = stackalloc double[2 * N];
        var fieldGradientRe = fieldGradient[..N];
        var fieldGradientIm = fieldGradient[N..];
        SpectralConvolution.SumFrequencyAdjoint(fieldRe, fieldIm, harmonicGradientRe, harmonicGradientIm,
            fieldGradientRe, fieldGradientIm);
        FieldBackward(coefficients, drive, tape, fieldGradientRe, fieldGradientIm, driveGradient, coefficientGradient);
        coefficientGradient[CrystalLength] += lengthGradient;
        coefficientGradient[PhaseMatchedFrequency] += matchedGradient;
        coefficientGradient[Efficiency] += efficiencyGradient;
    }

    /// <summary>
    /// B_k = √S(ν_k)·e^{iφ_k} = exp(q_k) with q a complex quadratic in k, so B follows the exact recurrence
    /// B_{k+1} = B_k·R_k, R_{k+1} = R_k·C (three complex exponentials per drive instead of 2N); the relative rounding
    /// error grows like k²·ε ≈ 1e-12.
    /// </summary>
    private static void ShapeField(
        ReadOnlySpan<double> coefficients,
        ReadOnlySpan<double> drive,
        Span<double> fieldRe,
        Span<double> fieldIm,
        Span<double> baseRe,
        Span<double> baseIm)
    {
        // q_k = −p·x_k² + i·c·y_k², x_k = ν_k − ν₀, y_k = ν_k − ν_grid, p = 1/(4σ²), c = GDD·(2π·1e-3)²/2.
        var sigma = coefficients[Bandwidth];
        var p = 1.0 / (4 * sigma * sigma);
        var c = coefficients[Chirp] * ChirpPhasePerFs2PerTHz2;
        var x0 = OpticalLayout.FundamentalFrequency(0) - coefficients[CentreFrequency];
        var y0 = OpticalLayout.FundamentalFrequency(0) - OpticalLayout.GridCentreTHz;
        const double h = OpticalLayout.SampleSpacingTHz;
        var (bRe, bIm) = ComplexExp(-p * x0 * x0, c * y0 * y0);
        var (rRe, rIm) = ComplexExp(-p * ((2 * x0 * h) + (h * h)), c * ((2 * y0 * h) + (h * h)));
        var (cRe, cIm) = ComplexExp(-2 * p * h * h, 2 * c * h * h);
        for (var channel = 0; channel < OpticalLayout.Channels; channel++)
        {
            var (tRe, tIm) = SlmTransmission.Transmission(drive[OpticalLayout.SegmentOfChannel(channel)]);
            var first = channel * OpticalLayout.SamplesPerChannel;
            for (var k = first; k < first + OpticalLayout.SamplesPerChannel; k++)
            {
                baseRe[k] = bRe;
                baseIm[k] = bIm;
                fieldRe[k] = (tRe * bRe) - (tIm * bIm);
                fieldIm[k] = (tRe * bIm) + (tIm * bRe);
                (bRe, bIm) = ((bRe * rRe) - (bIm * rIm), (bRe * rIm) + (bIm * rRe));
                (rRe, rIm) = ((rRe * cRe) - (rIm * cIm), (rRe * cIm) + (rIm * cRe));
            }
        }
    }

    /// <summary>
    /// sinc(x_w) and its derivative for the spectrometer's SH samples, x_w = π·GVM·L·(Ω_w − Ω_pm). The x_w are
    /// evenly spaced, so sin and cos follow by rotation (two SinCos per drive instead of one per sample).
    /// </summary>
    private static void PhaseMatching(ReadOnlySpan<double> coefficients, Span<double> weight, Span<double> slope)
    {
        var scale = MismatchPerTHzPerMm * coefficients[CrystalLength];
        var x = scale
            * (OpticalLayout.SecondHarmonicFrequency(OpticalLayout.WindowStart) - coefficients[PhaseMatchedFrequency]);
        var step = scale * OpticalLayout.SampleSpacingTHz;
        var (sin, cos) = Math.SinCos(x);
        var (stepSin, stepCos) = Math.SinCos(step);
        for (var w = 0; w < weight.Length; w++)
        {
            // Taylor series near 0, where sin(x)/x and (cos x − sin(x)/x)/x lose precision.
            var xw = x + (w * step);
            var small = Math.Abs(xw) < 1e-4;
            weight[w] = small ? 1.0 - (xw * xw / 6.0) : sin / xw;
            slope[w] = small ? -xw / 3.0 : (cos - weight[w]) / xw;
            (sin, cos) = ((sin * stepCos) + (cos * stepSin), (cos * stepCos) - (sin * stepSin));
        }
    }

    private static (double Re, double Im) ComplexExp(double re, double im)
    {
        var magnitude = Math.Exp(re);
        var (sin, cos) = Math.SinCos(im);
        return (magnitude * cos, magnitude * sin);
    }

    private void FieldBackward(
        ReadOnlySpan<double> coefficients,
        ReadOnlySpan<double> drive,
        ReadOnlySpan<double> tape,
        ReadOnlySpan<double> fieldGradientRe,
        ReadOnlySpan<double> fieldGradientIm,
        Span<double> driveGradient,
        Span<double> coefficientGradient)
    {
        var fieldRe = tape.Slice(FieldReOffset, N);
        var fieldIm = tape.Slice(FieldImOffset, N);
        var baseRe = tape.Slice(BaseReOffset, N);
        var baseIm = tape.Slice(BaseImOffset, N);
        var centre = coefficients[CentreFrequency];
        var sigma = coefficients[Bandwidth];
        double centreGradient = 0, bandwidthGradient = 0, chirpGradient = 0;
        for (var channel = 0; channel < OpticalLayout.Channels; channel++)
        {
            // Q = Σ_k conj(B_k)·Ē_k over the channel's samples; dL/dd = Re(conj(dt/dd)·Q).
            double qRe = 0, qIm = 0;
            var first = channel * OpticalLayout.SamplesPerChannel;
            for (var k = first; k < first + OpticalLayout.SamplesPerChannel; k++)
            {
                var (gRe, gIm) = (fieldGradientRe[k], fieldGradientIm[k]);
                qRe += (baseRe[k] * gRe) + (baseIm[k] * gIm);
                qIm += (baseRe[k] * gIm) - (baseIm[k] * gRe);

                // R = conj(E_k)·Ē_k; ∂E_k/∂p = E_k·(∂ ln a_k/∂p) for ν₀ and σ, and E_k·i·∂φ_k/∂p for the GDD.
                var rRe = (fieldRe[k] * gRe) + (fieldIm[k] * gIm);
                var rIm = (fieldRe[k] * gIm) - (fieldIm[k] * gRe);
                var offset = _fundamentalFrequency[k] - centre;
                centreGradient += rRe * offset / (2 * sigma * sigma);
                bandwidthGradient += rRe * offset * offset / (2 * sigma * sigma * sigma);
                chirpGradient += rIm * _chirpPhasePerFs2[k];
            }

            var segment = OpticalLayout.SegmentOfChannel(channel);
            var (dRe, dIm) = SlmTransmission.Derivative(drive[segment]);
            driveGradient[segment] = (dRe * qRe) + (dIm * qIm);
        }

        coefficientGradient[CentreFrequency] += centreGradient;
        coefficientGradient[Bandwidth] += bandwidthGradient;
        coefficientGradient[Chirp] += chirpGradient;
    }

    private void CheckLengths(ReadOnlySpan<double> coefficients, ReadOnlySpan<double> drive, int outputLength)
    {
        if (coefficients.Length != Coefficients.Count || drive.Length != OpticalLayout.Channels || outputLength
            != OpticalLayout.Bins)
        {
            throw new ArgumentException(
                $"Expected {Coefficients.Count} coefficients, a drive of {OpticalLayout.Channels} and "
                    + $"{OpticalLayout.Bins} outputs; got {coefficients.Length}, {drive.Length} and {outputLength}.");
        }
    }
}
