using System.CommandLine;
using Edge.Domain.Simulation;
using Spectre.Console;

namespace Edge.Trainer.Cli;

/// <summary><c>systems</c>: lists the simulated physical systems and their layer specs.</summary>
internal static class SystemsCommand
{
    public static Command Create()
    {
        var json = new Option<string?>("--spec") { Description = "Print the full JSON spec of this system." };
        var command = new Command("systems", "List the simulated physical systems.") { json };
        command.SetAction(parse =>
        {
            var name = parse.GetValue(json);
            if (name is not null)
            {
                Console.WriteLine(PhysicalSystems.Get(name).Spec.ToJson());
                return 0;
            }

            var table = new Table().AddColumns("system", "inputs", "parameters", "outputs", "DAC", "ADC",
                "description");
            foreach (var system in PhysicalSystems.All)
            {
                var spec = system.Spec;
                table.AddRow(
                    system.Name,
                    spec.InputSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    spec.ParameterSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    spec.OutputSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    Markup.Escape($"[{spec.Dac.Min}, {spec.Dac.Max}] {spec.Dac.Bits} bit"),
                    Markup.Escape($"[{spec.Adc.Min}, {spec.Adc.Max}] {spec.Adc.Bits} bit"),
                    Markup.Escape(system.Description));
            }

            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }
}
