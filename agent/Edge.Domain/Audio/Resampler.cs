namespace Edge.Domain.Audio;

/// <summary>
/// Streaming sample-rate converter: a Kaiser-windowed sinc whose cutoff sits just under the lower of the two Nyquist
/// frequencies (so down-sampling is anti-aliased), evaluated from a finely tabulated kernel at each output instant.
/// Push blocks of any size; the output of a whole stream equals that of one call on the concatenated input.
/// </summary>
public sealed class Resampler
{
    private const int PhasesPerSample = 512;
    private const double KaiserBeta = 8.6;

    private readonly long _inputRate;
    private readonly long _outputRate;
    private readonly double _halfWidth;
    private readonly float[] _kernel;
    private readonly double _kernelScale;
    private float[] _input = new float[4096];
    private float[] _output = new float[4096];
    private int _inputCount;
    private long _inputStart;
    private long _inputTotal;
    private long _outputIndex;

    /// <summary>Converts from <paramref name="inputRate"/> to <paramref name="outputRate"/> Hz.</summary>
    /// <param name="inputRate">Rate of the pushed samples.</param>
    /// <param name="outputRate">Rate of the produced samples.</param>
    /// <param name="zeroCrossings">Kernel half-width in zero crossings of the cutoff: longer is sharper and
    /// slower.</param>
    /// <param name="cutoff">Cutoff as a fraction of the lower Nyquist frequency.</param>
    public Resampler(int inputRate, int outputRate, int zeroCrossings = 32, double cutoff = 0.9)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputRate, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputRate, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(zeroCrossings, 2);
        if (cutoff is <= 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(cutoff), cutoff,
                "Cutoff must be in (0, 1] of the lower Nyquist frequency.");
        }

        _inputRate = inputRate;
        _outputRate = outputRate;
        var fc = cutoff * Math.Min(1.0, (double)outputRate / inputRate);
        _halfWidth = zeroCrossings / fc;
        var tableLength = (int)Math.Ceiling(_halfWidth * PhasesPerSample) + 2;
        _kernel = new float[tableLength];
        var i0Beta = BesselI0(KaiserBeta);
        for (var i = 0; i < tableLength; i++)
        {
            var t = (double)i / PhasesPerSample;
            var x = t / _halfWidth;
            var window = x >= 1 ? 0 : BesselI0(KaiserBeta * Math.Sqrt(1 - (x * x))) / i0Beta;
            var sinc = t == 0 ? 1 : Math.Sin(Math.PI * fc * t) / (Math.PI * fc * t);
            _kernel[i] = (float)(fc * sinc * window);
        }

        _kernelScale = PhasesPerSample;
    }

    /// <summary>Input rate in Hz.</summary>
    public int InputRate => (int)_inputRate;

    /// <summary>Output rate in Hz.</summary>
    public int OutputRate => (int)_outputRate;

    /// <summary>Resamples a whole signal in one call.</summary>
    public static float[] Resample(ReadOnlySpan<float> input, int inputRate, int outputRate)
    {
        if (inputRate == outputRate)
        {
            return input.ToArray();
        }

        var resampler = new Resampler(inputRate, outputRate);
        var head = resampler.Push(input).ToArray();
        var tail = resampler.Flush();
        var result = new float[head.Length + tail.Length];
        head.CopyTo(result, 0);
        tail.CopyTo(result.AsSpan(head.Length));
        return result;
    }

    /// <summary>
    /// Adds input samples and returns the output samples now computable; the span is valid until the next call.
    /// </summary>
    public ReadOnlySpan<float> Push(ReadOnlySpan<float> samples)
    {
        EnsureInputRoom(samples.Length);
        samples.CopyTo(_input.AsSpan(_inputCount));
        _inputCount += samples.Length;
        _inputTotal += samples.Length;
        return Produce(final: false);
    }

    /// <summary>Ends the stream: returns the remaining output (as if followed by silence) and resets for
    /// reuse.</summary>
    public ReadOnlySpan<float> Flush()
    {
        var produced = Produce(final: true);
        _inputCount = 0;
        _inputStart = 0;
        _inputTotal = 0;
        _outputIndex = 0;
        return produced;
    }

    private ReadOnlySpan<float> Produce(bool final)
    {
        var produced = 0;
        var reach = (long)Math.Ceiling(_halfWidth);
        while (true)
        {
            var time = (double)(_outputIndex * _inputRate) / _outputRate;
            var centre = (long)Math.Floor(time);
            if (final ? _outputIndex * _inputRate >= _inputTotal * _outputRate : centre + reach >= _inputTotal)
            {
                break;
            }

            if (produced == _output.Length)
            {
                Array.Resize(ref _output, _output.Length * 2);
            }

            _output[produced++] = Evaluate(time, centre, reach);
            _outputIndex++;
        }

        Discard((long)Math.Floor((double)(_outputIndex * _inputRate) / _outputRate) - reach - 1);
        return _output.AsSpan(0, produced);
    }

    private float Evaluate(double time, long centre, long reach)
    {
        var sum = 0.0;
        var first = Math.Max(centre - reach, _inputStart);
        var last = Math.Min(centre + reach + 1, _inputStart + _inputCount - 1);
        for (var k = first; k <= last; k++)
        {
            var position = Math.Abs(time - k) * _kernelScale;
            var index = (int)position;
            if (index + 1 >= _kernel.Length)
            {
                continue;
            }

            var fraction = (float)(position - index);
            var weight = _kernel[index] + ((_kernel[index + 1] - _kernel[index]) * fraction);
            sum += weight * _input[k - _inputStart];
        }

        return (float)sum;
    }

    private void Discard(long keepFrom)
    {
        var drop = (int)Math.Clamp(keepFrom - _inputStart, 0, _inputCount);
        if (drop == 0)
        {
            return;
        }

        _input.AsSpan(drop, _inputCount - drop).CopyTo(_input);
        _inputCount -= drop;
        _inputStart += drop;
    }

    private void EnsureInputRoom(int extra)
    {
        if (_inputCount + extra > _input.Length)
        {
            Array.Resize(ref _input, Math.Max(_input.Length * 2, _inputCount + extra));
        }
    }

    private static double BesselI0(double x)
    {
        // Power series of the modified Bessel function; converges fast for the β used by audio windows.
        var sum = 1.0;
        var term = 1.0;
        for (var k = 1; k < 50; k++)
        {
            term *= x / (2 * k) * (x / (2 * k));
            sum += term;
            if (term < sum * 1e-17)
            {
                break;
            }
        }

        return sum;
    }
}
