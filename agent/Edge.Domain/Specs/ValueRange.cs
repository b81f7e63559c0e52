namespace Edge.Domain.Specs;

/// <summary>
/// The closed interval <c>[Lo, Hi]</c> a drive value may take. <c>Lo == Hi</c> freezes the value.
/// </summary>
/// <param name="Lo">Lowest allowed value.</param>
/// <param name="Hi">Highest allowed value.</param>
public readonly record struct ValueRange(double Lo, double Hi)
{
    /// <summary>True when the range admits a single value, so training must not move it.</summary>
    public bool IsFrozen => Lo == Hi;

    /// <summary>Width of the range.</summary>
    public double Width => Hi - Lo;

    /// <summary>Clamps <paramref name="value"/> into the range.</summary>
    public double Clamp(double value) => Math.Clamp(value, Lo, Hi);

    /// <summary>True when <paramref name="value"/> lies inside the range.</summary>
    public bool Contains(double value) => value >= Lo && value <= Hi;
}
