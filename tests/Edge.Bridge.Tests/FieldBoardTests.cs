using Edge.Bridge.Emulator;
using Edge.Domain.Simulation;
using Edge.Domain.Simulation.Field;

namespace Edge.Bridge.Tests;

public sealed class FieldBoardTests
{
    [Fact]
    public void The_field_board_reads_through_the_esp32_adc_error_and_the_lab_board_does_not()
    {
        var system = PhysicalSystems.Get("electronic");
        var lab = new BenchBoard(system, "bridge-0042", 1);
        var field = new BenchBoard(system, "bridge-0042", 1, DeviceProfile.Field);
        var differences = new List<int>();
        for (var code = 0; code < 4096; code += 97)
        {
            foreach (var board in new[] { lab, field })
            {
                board.Write(0, code);
                board.Rest(0.01);
            }

            differences.Add(field.Read(0) - lab.Read(0));
        }

        Assert.Contains(differences, d => d != 0);
        Assert.All(differences, d => Assert.InRange(d, -16, 16));
    }
}
