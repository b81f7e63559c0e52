using Edge.Domain.Specs;

namespace Edge.Domain.Simulation.Field;

/// <summary>
/// The field effects of one simulated part, applied around its physics: the drive chain before it, the readout
/// chain after it. Part-specific shapes are drawn once from the part id; the 1/f wander runs on its own stream of the
/// part's seed, so the lab streams (drive and readout noise, drift) are untouched. Buffers are fixed at construction:
/// nothing is allocated per drive or per sample.
/// </summary>
public sealed class FieldChain
{
    private const int MaxChannels = 256;
    private const ulong PartStream = 0xF1E1_D0E5_7A7E_2026UL;
    private const ulong NoiseStream = 0x0F11_C3E8_9A1B_5EEDUL;
    private static readonly double[] FlickerPoleDrives = [10, 100, 1_000, 10_000];

    private readonly FieldEffects _effects;
    private readonly DacSpec _dac;
    private readonly AdcSpec _adc;
    private readonly ConverterNonlinearity _dacError;
    private readonly ConverterNonlinearity _adcError;
    private readonly double[] _flicker = new double[FlickerPoleDrives.Length];
    private readonly double[] _flickerRetention = new double[FlickerPoleDrives.Length];
    private readonly NoiseSource _noise;
    private readonly double _heatRetention;
    private readonly int[] _channelSegments;

    /// <summary>Builds the chain of part <paramref name="deviceId"/> with noise seed <paramref name="seed"/>.</summary>
    /// <param name="effects">The effects to apply.</param>
    /// <param name="spec">The layer's converters and drive length.</param>
    /// <param name="deviceId">Fixes the part-specific converter shapes.</param>
    /// <param name="seed">Seeds the 1/f wander.</param>
    public FieldChain(FieldEffects effects, LayerSpec spec, string deviceId, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(effects);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentException.ThrowIfNullOrWhiteSpace(deviceId);
        _effects = effects.Validate();
        _dac = spec.Dac;
        _adc = spec.Adc;
        var part = new NoiseSource(NoiseSource.HashId(deviceId) ^ PartStream);
        _dacError = new ConverterNonlinearity(effects.DacInlLsb, 0, part);
        _adcError = new ConverterNonlinearity(effects.AdcInlLsb, effects.AdcDnlLsb, part);

        _noise = new NoiseSource(NoiseSource.HashId(deviceId) ^ (seed * 0xD1B5_4A32_D192_ED03UL) ^ NoiseStream);
        var poleRms = effects.FlickerGainRms / Math.Sqrt(FlickerPoleDrives.Length);
        for (var j = 0; j < FlickerPoleDrives.Length; j++)
        {
            _flickerRetention[j] = Math.Exp(-1.0 / FlickerPoleDrives[j]);
            // Start in the stationary distribution, so the wander is there from the first drive.
            _flicker[j] = poleRms * _noise.NextGaussian();
        }

        _heatRetention = effects.SelfHeatingDrives > 0 ? Math.Exp(-1.0 / effects.SelfHeatingDrives) : 0;
        _channelSegments = ChannelOrder(effects, spec.DriveLength);
    }

    /// <summary>The effects this chain applies.</summary>
    public FieldEffects Effects => _effects;

    /// <summary>Temperature rise from the power the part has been driven with, in kelvin.</summary>
    public double HeatKelvin { get; private set; }

    /// <summary>Applies the drive chain to one converted drive (segment order, DAC units) in place.</summary>
    public void ShapeDrive(Span<double> drive)
    {
        if (_effects.DacInlLsb > 0)
        {
            var lsb = (_dac.Max - _dac.Min) / ((1 << _dac.Bits) - 1);
            for (var s = 0; s < drive.Length; s++)
            {
                var position = Normalise(drive[s], _dac.Min, _dac.Max);
                var code = (int)Math.Round((position + 1) * 0.5 * ((1 << _dac.Bits) - 1));
                drive[s] += lsb * _dacError.ErrorLsb(position, code);
            }
        }

        if (_effects.PixelCrosstalk > 0)
        {
            Crosstalk(drive);
        }

        if (_effects.DriveClipLevel > 0)
        {
            for (var s = 0; s < drive.Length; s++)
            {
                var ratio = drive[s] / _effects.DriveClipLevel;
                drive[s] /= Math.Sqrt(Math.Sqrt(1 + (ratio * ratio * ratio * ratio)));
            }
        }

        if (_effects.SlewPerSegment > 0)
        {
            Slew(drive, _effects.SlewPerSegment);
        }
    }

    /// <summary>Heats the part by the power of one drive (after the drive chain).</summary>
    public void Heat(ReadOnlySpan<double> drive)
    {
        if (_effects.SelfHeatingKelvin <= 0)
        {
            return;
        }

        var meanSquare = 0.0;
        foreach (var v in drive)
        {
            meanSquare += v * v;
        }

        meanSquare /= drive.Length;
        HeatKelvin = (HeatKelvin * _heatRetention) + ((1 - _heatRetention) * _effects.SelfHeatingKelvin * meanSquare);
    }

    /// <summary>The readout gain for the next drive: 1 plus the 1/f wander.</summary>
    public double NextDriveGain()
    {
        if (_effects.FlickerGainRms <= 0)
        {
            return 1;
        }

        var poleRms = _effects.FlickerGainRms / Math.Sqrt(FlickerPoleDrives.Length);
        var wander = 0.0;
        for (var j = 0; j < _flicker.Length; j++)
        {
            var r = _flickerRetention[j];
            _flicker[j] = (_flicker[j] * r) + (poleRms * Math.Sqrt(1 - (r * r)) * _noise.NextGaussian());
            wander += _flicker[j];
        }

        return 1 + wander;
    }

    /// <summary>Draws each ADC sample's timing error for the next drive, in nanoseconds (white, Gaussian).</summary>
    public void NextSampleOffsets(Span<double> offsetsNs)
    {
        for (var i = 0; i < offsetsNs.Length; i++)
        {
            offsetsNs[i] = _effects.SampleJitterNs * _noise.NextGaussian();
        }
    }

    /// <summary>The detector's response to a reading <paramref name="y"/> (ADC units) before the converter.</summary>
    public double Detect(double y)
        => _effects.DetectorSaturation > 0 ? y / (1 + (Math.Abs(y) / _effects.DetectorSaturation)) : y;

    /// <summary>The ADC's own error at input <paramref name="y"/> (ADC units): its INL and its code pattern.</summary>
    public double AdcError(double y)
    {
        if (_effects.AdcInlLsb <= 0 && _effects.AdcDnlLsb <= 0)
        {
            return 0;
        }

        var steps = (1 << _adc.Bits) - 1;
        var lsb = (_adc.Max - _adc.Min) / steps;
        var position = Normalise(y, _adc.Min, _adc.Max);
        var code = (int)Math.Round((position + 1) * 0.5 * steps);
        return lsb * _adcError.ErrorLsb(position, code);
    }

    private static double Normalise(double v, double min, double max)
        => Math.Clamp((2 * (v - min) / (max - min)) - 1, -1, 1);

    // A slew-limited driver ramps from where it stood towards each new level; the held level the physics sees is
    // the segment's mean. Every drive starts from the idle level 0 the player holds between drives.
    private static void Slew(Span<double> drive, double maxStep)
    {
        var level = 0.0;
        for (var s = 0; s < drive.Length; s++)
        {
            var step = drive[s] - level;
            if (Math.Abs(step) <= maxStep)
            {
                drive[s] -= step * Math.Abs(step) / (2 * maxStep);
                level += step;
            }
            else
            {
                var reached = Math.CopySign(maxStep, step);
                drive[s] = level + (reached / 2);
                level += reached;
            }
        }
    }

    private void Crosstalk(Span<double> drive)
    {
        var count = _channelSegments.Length;
        Span<double> own = stackalloc double[count];
        for (var c = 0; c < count; c++)
        {
            own[c] = drive[_channelSegments[c]];
        }

        var leak = _effects.PixelCrosstalk;
        for (var c = 0; c < count; c++)
        {
            var left = c > 0 ? own[c - 1] : own[c];
            var right = c < count - 1 ? own[c + 1] : own[c];
            drive[_channelSegments[c]] = own[c] + (leak * (left + right - (2 * own[c])));
        }
    }

    private static int[] ChannelOrder(FieldEffects effects, int driveLength)
    {
        if (effects.PixelCrosstalk <= 0)
        {
            return [];
        }

        var order = effects.ChannelSegments ?? [.. Enumerable.Range(0, driveLength)];
        if (order.Count != driveLength || order.Count > MaxChannels || order.Order().Where((s, i) => s != i).Any())
        {
            throw new ArgumentException(
                $"Field effect '{nameof(FieldEffects.ChannelSegments)}' must list each of the {driveLength} drive "
                + $"segments exactly once (at most {MaxChannels} channels).",
                nameof(effects));
        }

        return [.. order];
    }
}
