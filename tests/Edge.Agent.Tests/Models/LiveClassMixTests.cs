using Edge.Agent.Models;

namespace Edge.Agent.Tests.Models;

public sealed class LiveClassMixTests
{
    private static readonly string[] Calibration = ["a", "a", "b", "b"];

    [Fact]
    public void No_figure_before_the_minimum_then_zero_for_the_calibration_mix()
    {
        var mix = new LiveClassMix(Calibration, window: 4, minimum: 2);
        mix.Add("a");
        Assert.Null(mix.Shift());
        mix.Add("b");
        Assert.Equal(0.0, mix.Shift());
    }

    [Fact]
    public void A_model_stuck_on_one_class_shifts_by_the_other_classes_share_and_the_window_forgets()
    {
        var mix = new LiveClassMix(Calibration, window: 4, minimum: 2);
        foreach (var label in new[] { "a", "a", "a", "a" })
        {
            mix.Add(label);
        }

        Assert.Equal(0.5, mix.Shift()!.Value, 12);
        mix.Add("z"); // a label the calibration set does not have counts fully; the oldest "a" is forgotten
        Assert.Equal(0.5, mix.Shift()!.Value, 12);
        foreach (var label in new[] { "b", "b", "a" })
        {
            mix.Add(label);
        }

        Assert.Equal(0.25, mix.Shift()!.Value, 12);
        mix.Clear();
        Assert.Null(mix.Shift());
    }
}
