namespace Edge.Devices.Layers;

/// <summary>How well one batch kept to its schedule on the Direct backend.</summary>
/// <param name="Drives">Drives played.</param>
/// <param name="Samples">ADC samples taken.</param>
/// <param name="ScheduledSampleRateHz">The layer's ADC sample rate.</param>
/// <param name="AchievedSampleRateHz">Samples divided by the time spent sampling (inter-drive gaps excluded).</param>
/// <param name="RmsJitter">Root-mean-square lateness of DAC updates and ADC samples against their deadlines.</param>
/// <param name="MaxLateness">Largest lateness of any event.</param>
/// <param name="LateEvents">Events that started more than half a sample period after their deadline.</param>
public sealed record DirectRunStatistics(
    int Drives,
    long Samples,
    double ScheduledSampleRateHz,
    double AchievedSampleRateHz,
    TimeSpan RmsJitter,
    TimeSpan MaxLateness,
    long LateEvents);
