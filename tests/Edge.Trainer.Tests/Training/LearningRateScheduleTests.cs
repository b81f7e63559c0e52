using Edge.Trainer.Training;

namespace Edge.Trainer.Tests.Training;

public sealed class LearningRateScheduleTests
{
    [Theory]
    [InlineData(0, 0.01)]
    [InlineData(50, 0.005)]
    [InlineData(100, 0.0)]
    [InlineData(150, 0.0)]
    public void Cosine_falls_from_the_initial_step_to_zero_at_the_last_step(long step, double expected)
        => Assert.Equal(expected, LearningRateSchedule.Cosine.At(0.01, step, 100), 12);

    [Fact]
    public void Cosine_never_rises_and_constant_never_changes()
    {
        var previous = double.MaxValue;
        for (var step = 0; step <= 1000; step++)
        {
            var rate = LearningRateSchedule.Cosine.At(0.04, step, 1000);
            Assert.True(rate <= previous, $"step {step}: {rate} after {previous}");
            previous = rate;
            Assert.Equal(0.04, LearningRateSchedule.Constant.At(0.04, step, 1000));
        }
    }

    [Fact]
    public void Names_round_trip_and_an_unknown_name_lists_the_valid_ones()
    {
        foreach (var schedule in Enum.GetValues<LearningRateSchedule>())
        {
            Assert.Equal(schedule, LearningRateSchedules.Parse(schedule.Name().ToUpperInvariant()));
        }

        Assert.Contains("Valid schedules: constant, cosine", Assert.Throws<ArgumentException>(()
            => LearningRateSchedules.Parse("step")).Message, StringComparison.Ordinal);
    }
}
