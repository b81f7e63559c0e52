using System.Buffers;
using Edge.Domain.Devices;
using Edge.Domain.Physics;
using Edge.Domain.Simulation.Field;
using Edge.Domain.Specs;

namespace Edge.Domain.Simulation;

/// <summary>
/// A physical layer simulated with real imperfections: the part's own component values (spread around the
/// datasheet per device id), DAC clipping and quantisation, analog drive noise, temperature drift, readout noise
/// and ADC quantisation. Deterministic for a given device id and seed. Not thread-safe: one caller at a time, except
/// <see cref="Environment"/>, which may be changed from any thread while the part runs (it applies from the next
/// batch).
/// </summary>
public sealed class SimulatedDevice : IPhysicalDevice
{
    private readonly double[] _partCoefficients;
    private readonly NoiseSource _noise;
    private readonly double _driftRetention;
    private readonly double[]? _carriedState;
    private readonly FieldChain? _field;
    private readonly IFieldPhysics? _fieldPhysics;
    private double _driftKelvin;
    private volatile AppliedEnvironment _applied;
    private AppliedEnvironment? _stateEnvironment;

    /// <summary>Creates a simulated part.</summary>
    /// <param name="physics">The physics the part obeys.</param>
    /// <param name="deviceId">Identifies the part; fixes its component values.</param>
    /// <param name="imperfections">Which imperfections to apply.</param>
    /// <param name="seed">Seeds the noise and drift streams.</param>
    /// <param name="partCoefficients">Explicit true component values; when null they are drawn from the
    /// tolerances.</param>
    /// <param name="fieldPhysics">What the part really obeys when its field effects go beyond <paramref
    /// name="physics"/>'s equations (it takes the same coefficients); null plays <paramref name="physics"/>.</param>
    public SimulatedDevice(
        IDifferentiablePhysics physics,
        string deviceId,
        Imperfections imperfections,
        ulong seed,
        IReadOnlyList<double>? partCoefficients = null,
        IFieldPhysics? fieldPhysics = null)
    {
        ArgumentNullException.ThrowIfNull(physics);
        ArgumentException.ThrowIfNullOrWhiteSpace(deviceId);
        Physics = physics;
        DeviceId = deviceId;
        Imperfections = (imperfections ?? throw new ArgumentNullException(nameof(imperfections))).Validate();
        _partCoefficients = partCoefficients is null ? DrawPart(physics, deviceId, imperfections.PartSpread)
            : [.. partCoefficients];
        if (_partCoefficients.Length != physics.Coefficients.Count)
        {
            throw new
                ArgumentException($"Expected {physics.Coefficients.Count} coefficients, got "
                    + $"{_partCoefficients.Length}.", nameof(partCoefficients));
        }

        _noise = new NoiseSource(NoiseSource.HashId(deviceId) ^ (seed * 0x9E3779B97F4A7C15UL));
        if (imperfections.Field is { Any: true } field)
        {
            _field = new FieldChain(field, physics.Spec, deviceId, seed);
        }

        if (fieldPhysics is not null && _field is null)
        {
            throw new ArgumentException(
                "Field physics needs the field effects that call for it.", nameof(fieldPhysics));
        }

        _fieldPhysics = fieldPhysics;

        _driftRetention = imperfections.DriftHalfLifeDrives > 0
            ? Math.Pow(0.5, 1.0 / imperfections.DriftHalfLifeDrives)
            : 1.0;
        if (physics is IStatefulPhysics stateful)
        {
            // Kept even when every drive starts at rest: the environment may shorten the settling gap later.
            _carriedState = new double[fieldPhysics?.StateSize ?? stateful.StateSize];
        }

        _applied = Apply(PartEnvironment.Calibrated);
    }

    /// <inheritdoc />
    public LayerSpec Spec => Physics.Spec;

    /// <inheritdoc />
    public string DeviceId { get; }

    /// <summary>The physics this part obeys.</summary>
    public IDifferentiablePhysics Physics { get; }

    /// <summary>The imperfections applied.</summary>
    public Imperfections Imperfections { get; }

    /// <summary>
    /// This part's component values at the calibration temperature, as built (before any environment).
    /// </summary>
    public IReadOnlyList<double> PartCoefficients => _partCoefficients;

    /// <summary>
    /// What happened to the part since calibration (ambient temperature, ageing, readout gain, settling, a swapped
    /// part); validated when set, applied from the next batch.
    /// </summary>
    public PartEnvironment Environment
    {
        get => _applied.Environment;
        set => _applied = Apply((value ?? throw new ArgumentNullException(nameof(value))).Validate());
    }

    /// <summary>Temperature excursion from calibration, in kelvin: the random drift plus <see
    /// cref="AmbientShiftKelvin"/>.</summary>
    public double Temperature => _driftKelvin + AmbientShiftKelvin;

    /// <summary>
    /// A lasting change of the part's surroundings, in kelvin (an enclosure in the sun, a cold night), on top of the
    /// random drift: the slow change a twin fitted earlier does not know about and field re-training must absorb.
    /// </summary>
    public double AmbientShiftKelvin
    {
        get => Environment.AmbientKelvin;
        set => Environment = Environment with
        {
            AmbientKelvin = double.IsFinite(value)
                ? value
                : throw new ArgumentOutOfRangeException(
                    nameof(value), value, "The ambient shift must be a finite number of kelvin."),
        };
    }

    /// <summary>Drives played so far.</summary>
    public long DrivesPlayed { get; private set; }

    /// <summary>Upper bound on worker threads for a batch; 1 runs on the caller's thread.</summary>
    public int MaxDegreeOfParallelism { get; set; } = 1;

    /// <summary>Writes the component values in effect now (part values moved by the temperature drift).</summary>
    public void CurrentCoefficients(Span<double> coefficients)
        => CoefficientsAt(_applied, Temperature + SelfHeatingKelvin, coefficients);

    /// <summary>Temperature rise from the power the part is driven with (field profile only), in kelvin.</summary>
    public double SelfHeatingKelvin => _field?.HeatKelvin ?? 0;

    /// <summary>Converts one drive as the DAC does (clip, quantise) without noise: what the physics receives.</summary>
    public void ConvertDrive(ReadOnlySpan<float> drive, Span<double> converted)
    {
        var dac = Spec.Dac;
        for (var s = 0; s < drive.Length; s++)
        {
            double v = drive[s];
            if (Imperfections.Saturation)
            {
                v = Math.Clamp(double.IsNaN(v) ? dac.Min : v, dac.Min, dac.Max);
            }

            converted[s] = Imperfections.DacQuantisation ? dac.Quantise(v) : v;
        }
    }

    /// <inheritdoc />
    public ValueTask ForwardAsync(ReadOnlyMemory<float> drives, Memory<float> responses,
        CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Forward(drives.Span, responses.Span);
        return ValueTask.CompletedTask;
    }

    /// <summary>Synchronous form of <see cref="ForwardAsync"/>, for the simulation's hot loops.</summary>
    public void Forward(ReadOnlySpan<float> drives, Span<float> responses)
    {
        var count = DeviceBatch.Count(Spec, drives.Length, responses.Length);
        var driveLength = Spec.DriveLength;
        var outputs = Spec.OutputSize;
        var coefficientCount = _partCoefficients.Length;
        var applied = _applied;
        var analogDrives = ArrayPool<double>.Shared.Rent(count * driveLength);
        var coefficients = ArrayPool<double>.Shared.Rent(count * coefficientCount);
        var clean = ArrayPool<double>.Shared.Rent(count * outputs);
        try
        {
            // Noise and drift are drawn in drive order on this thread, so results do not depend on parallelism.
            for (var d = 0; d < count; d++)
            {
                var analog = analogDrives.AsSpan(d * driveLength, driveLength);
                ConvertDrive(drives.Slice(d * driveLength, driveLength), analog);
                if (Imperfections.DriveNoise > 0)
                {
                    for (var s = 0; s < driveLength; s++)
                    {
                        analog[s] += Imperfections.DriveNoise * _noise.NextGaussian();
                    }
                }

                AdvanceDrift();
                var temperature = Temperature;
                if (_field is not null)
                {
                    _field.ShapeDrive(analog);
                    _field.Heat(analog);
                    temperature += _field.HeatKelvin;
                }

                CoefficientsAt(applied, temperature, coefficients.AsSpan(d * coefficientCount, coefficientCount));
            }

            if (_fieldPhysics is null)
            {
                RunPhysics(applied, count, analogDrives, coefficients, clean);
            }
            else
            {
                RunFieldPhysics(_fieldPhysics, applied, count, analogDrives, coefficients, clean);
            }

            var adc = Spec.Adc;
            for (var d = 0; d < count; d++)
            {
                var fieldGain = _field?.NextDriveGain() ?? 1;
                for (var i = d * outputs; i < (d + 1) * outputs; i++)
                {
                    var y = clean[i] * applied.Environment.Gain;
                    if (_field is not null)
                    {
                        y = _field.Detect(y * fieldGain);
                    }

                    if (Imperfections.ReadoutNoise > 0)
                    {
                        y += Imperfections.ReadoutNoise * _noise.NextGaussian();
                    }

                    if (_field is not null)
                    {
                        y += _field.AdcError(y);
                    }

                    if (Imperfections.Saturation)
                    {
                        y = Math.Clamp(y, adc.Min, adc.Max);
                    }

                    responses[i] = (float)(Imperfections.AdcQuantisation ? adc.Quantise(y) : y);
                }
            }

            DrivesPlayed += count;
        }
        finally
        {
            ArrayPool<double>.Shared.Return(analogDrives);
            ArrayPool<double>.Shared.Return(coefficients);
            ArrayPool<double>.Shared.Return(clean);
        }
    }

    private void RunPhysics(
        AppliedEnvironment applied, int count, double[] analogDrives, double[] coefficients, double[] clean)
    {
        var driveLength = Spec.DriveLength;
        var outputs = Spec.OutputSize;
        var coefficientCount = _partCoefficients.Length;
        if (_carriedState is not null && double.IsFinite(applied.SettlingGapSeconds))
        {
            if (!ReferenceEquals(_stateEnvironment, applied))
            {
                // A new environment (possibly after drives that started at rest) starts from rest too.
                Array.Clear(_carriedState);
                _stateEnvironment = applied;
            }

            // Each drive starts from what the previous one left ringing, so drives run strictly in order.
            var stateful = (IStatefulPhysics)Physics;
            for (var d = 0; d < count; d++)
            {
                var c = coefficients.AsSpan(d * coefficientCount, coefficientCount);
                stateful.Relax(c, _carriedState, applied.SettlingGapSeconds);
                stateful.ForwardFrom(c, analogDrives.AsSpan(d * driveLength, driveLength),
                    clean.AsSpan(d * outputs, outputs), _carriedState);
            }

            return;
        }

        if (MaxDegreeOfParallelism <= 1 || count < 8)
        {
            for (var d = 0; d < count; d++)
            {
                Physics.Forward(coefficients.AsSpan(d * coefficientCount, coefficientCount),
                    analogDrives.AsSpan(d * driveLength, driveLength), clean.AsSpan(d * outputs, outputs), []);
            }

            return;
        }

        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = MaxDegreeOfParallelism }, d =>
            Physics.Forward(coefficients.AsSpan(d * coefficientCount, coefficientCount),
                analogDrives.AsSpan(d * driveLength, driveLength), clean.AsSpan(d * outputs, outputs), []));
    }

    // The field part's own physics. The sample clock's jitter is drawn for every drive first, on this thread and in
    // drive order, so results do not depend on parallelism.
    private void RunFieldPhysics(IFieldPhysics physics,
        AppliedEnvironment applied, int count, double[] analogDrives, double[] coefficients, double[] clean)
    {
        var driveLength = Spec.DriveLength;
        var outputs = Spec.OutputSize;
        var coefficientCount = _partCoefficients.Length;
        var samples = _field!.Effects.SampleJitterNs > 0 ? physics.SamplesPerDrive : 0;
        var offsets = ArrayPool<double>.Shared.Rent(Math.Max(count * samples, 1));
        try
        {
            for (var d = 0; d < count; d++)
            {
                _field.NextSampleOffsets(offsets.AsSpan(d * samples, samples));
            }

            if (_carriedState is not null && double.IsFinite(applied.SettlingGapSeconds))
            {
                if (!ReferenceEquals(_stateEnvironment, applied))
                {
                    Array.Clear(_carriedState);
                    _stateEnvironment = applied;
                }

                // Each drive starts from what the previous one left ringing, so drives run strictly in order.
                for (var d = 0; d < count; d++)
                {
                    var c = coefficients.AsSpan(d * coefficientCount, coefficientCount);
                    physics.Relax(c, _carriedState, applied.SettlingGapSeconds);
                    Play(d, _carriedState);
                }

                return;
            }

            if (MaxDegreeOfParallelism <= 1 || count < 8)
            {
                Span<double> state = stackalloc double[physics.StateSize];
                for (var d = 0; d < count; d++)
                {
                    state.Clear();
                    Play(d, state);
                }

                return;
            }

            Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = MaxDegreeOfParallelism }, d =>
            {
                Span<double> state = stackalloc double[physics.StateSize];
                Play(d, state);
            });
        }
        finally
        {
            ArrayPool<double>.Shared.Return(offsets);
        }

        void Play(int d, Span<double> state) => physics.Forward(
            coefficients.AsSpan(d * coefficientCount, coefficientCount),
            analogDrives.AsSpan(d * driveLength, driveLength),
            offsets.AsSpan(d * samples, samples),
            clean.AsSpan(d * outputs, outputs),
            state);
    }

    private void AdvanceDrift()
    {
        if (Imperfections.DriftKelvinPerDrive > 0)
        {
            _driftKelvin = (_driftKelvin * _driftRetention)
                + (Imperfections.DriftKelvinPerDrive * _noise.NextGaussian());
        }
    }

    private void CoefficientsAt(AppliedEnvironment applied, double temperature, Span<double> coefficients)
    {
        var part = applied.Coefficients;
        for (var i = 0; i < part.Length; i++)
        {
            coefficients[i] = part[i] * (1.0 + (Physics.Coefficients[i].TemperatureCoefficient * temperature));
        }
    }

    /// <summary>
    /// Works out the component values and settling an environment means for this part, once per change.
    /// </summary>
    private AppliedEnvironment Apply(PartEnvironment environment)
    {
        var values = environment.PartId is { } swapped
            ? DrawPart(Physics, swapped, Imperfections.PartSpread)
            : [.. _partCoefficients];
        if (environment.Ageing > 0)
        {
            // Each component ages in its own fixed direction, so a part ages the same way every run.
            var ageing = new NoiseSource(NoiseSource.HashId(environment.PartId ?? DeviceId) ^ AgeingStream);
            for (var i = 0; i < values.Length; i++)
            {
                values[i] *= 1.0 + (environment.Ageing * ageing.NextGaussian());
            }
        }

        var gap = environment.SettlingGapSeconds ?? Imperfections.SettlingGapSeconds;
        return new AppliedEnvironment(environment, values, gap);
    }

    private const ulong AgeingStream = 0xA6E1_9C0F_5EED_2026UL;

    /// <summary>An environment with what it means for this part worked out.</summary>
    private sealed record AppliedEnvironment(
        PartEnvironment Environment, double[] Coefficients, double SettlingGapSeconds);

    private static double[] DrawPart(IDifferentiablePhysics physics, string deviceId, double spread)
    {
        var partNoise = new NoiseSource(NoiseSource.HashId(deviceId));
        var values = new double[physics.Coefficients.Count];
        for (var i = 0; i < values.Length; i++)
        {
            var c = physics.Coefficients[i];
            values[i] = c.Nominal * (1.0 + (spread * c.Tolerance * partNoise.NextGaussian()));
        }

        return values;
    }
}
