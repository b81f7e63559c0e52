namespace Edge.Devices.Analog;

/// <summary>One ADC input, seen by a layer backend as a code source with a known span and speed.</summary>
public interface IAdcChannel
{
    /// <summary>Code read at the bottom of the input span.</summary>
    int MinCode { get; }

    /// <summary>Code read at the top of the input span.</summary>
    int MaxCode { get; }

    /// <summary>Fastest sample rate the chip and its bus allow, in samples per second.</summary>
    double MaxSampleRateHz { get; }

    /// <summary>Takes one sample now and returns its code.</summary>
    int Read();
}
