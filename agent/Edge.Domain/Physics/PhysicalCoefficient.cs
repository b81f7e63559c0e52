namespace Edge.Domain.Physics;

/// <summary>A datasheet value of the physics, with how much real parts scatter around it and how it moves with
/// temperature.</summary>
/// <param name="Name">Symbol as in the model, e.g. <c>omega0</c>.</param>
/// <param name="Nominal">Datasheet (nominal) value.</param>
/// <param name="Tolerance">Relative standard deviation of the part-to-part spread (0.05 = 5 %).</param>
/// <param name="TemperatureCoefficient">Relative change per kelvin of temperature drift.</param>
/// <param name="Unit">Unit, for reports.</param>
public sealed record PhysicalCoefficient(string Name, double Nominal, double Tolerance, double TemperatureCoefficient,
    string Unit);
