using System.Diagnostics;
using Edge.Devices.Analog;
using Edge.Devices.Emulation;

namespace Edge.Agent.Hosting;

/// <summary>
/// Injects faults into the emulated chips from a file (<c>Edge:Device:Direct:FaultFile</c>), so a fault bench or an
/// integration test can break a running agent's device and mend it again. The file is read at most every 50 ms, on the
/// DAC writes and ADC reads the layer makes anyway (<see cref="Wrap(IDacChannel)"/>, <see cref="Wrap(IAdcChannel)"/>).
/// </summary>
public sealed class EmulatedFaultFile
{
    /// <summary>The fault names the file may hold.</summary>
    public static IReadOnlyList<string> Faults { get; } = ["none", "adc-stuck", "adc-saturated", "dac-unresponsive"];

    private readonly string _path;
    private readonly Action<ConverterFault> _adc;
    private readonly Action<bool> _dac;
    private long _nextRead;

    /// <summary>
    /// Watches <paramref name="path"/>; applies its fault through <paramref name="adc"/> and <paramref name="dac"/>.
    /// </summary>
    public EmulatedFaultFile(string path, Action<ConverterFault> adc, Action<bool> dac)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        (_path, _adc, _dac) = (Path.GetFullPath(path), adc, dac);
    }

    /// <summary>The fault in force since the last read.</summary>
    public string Current { get; private set; } = "none";

    /// <summary>Reads the file when 50 ms have passed since the last read and applies what it names.</summary>
    public void Refresh()
    {
        var now = Stopwatch.GetTimestamp();
        if (now < Volatile.Read(ref _nextRead))
        {
            return;
        }

        Volatile.Write(ref _nextRead, now + (Stopwatch.Frequency / 20));
        var fault = Read();
        if (fault == Current || !Faults.Contains(fault))
        {
            return;
        }

        Current = fault;
        _adc(fault switch
        {
            "adc-stuck" => ConverterFault.Stuck,
            "adc-saturated" => ConverterFault.Saturated,
            _ => ConverterFault.None,
        });
        _dac(fault == "dac-unresponsive");
    }

    /// <summary>The DAC channel, reading the file before each write.</summary>
    public IDacChannel Wrap(IDacChannel dac) => new SwitchedDac(dac, this);

    /// <summary>The ADC channel, reading the file before each sample.</summary>
    public IAdcChannel Wrap(IAdcChannel adc) => new SwitchedAdc(adc, this);

    private string Read()
    {
        try
        {
            var text = File.ReadAllText(_path).Trim().ToLowerInvariant();
            return text.Length == 0 ? "none" : text;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return "none";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Being rewritten: keep the fault in force and read again next time.
            return Current;
        }
    }

    private sealed class SwitchedDac(IDacChannel inner, EmulatedFaultFile faults) : IDacChannel
    {
        public int Bits => inner.Bits;

        public double MaxUpdateRateHz => inner.MaxUpdateRateHz;

        public void Write(int code)
        {
            faults.Refresh();
            inner.Write(code);
        }
    }

    private sealed class SwitchedAdc(IAdcChannel inner, EmulatedFaultFile faults) : IAdcChannel
    {
        public int MinCode => inner.MinCode;

        public int MaxCode => inner.MaxCode;

        public double MaxSampleRateHz => inner.MaxSampleRateHz;

        public int Read()
        {
            faults.Refresh();
            return inner.Read();
        }
    }
}
