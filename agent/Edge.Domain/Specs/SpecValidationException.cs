namespace Edge.Domain.Specs;

/// <summary>A layer spec broke a rule; <see cref="Field"/> names the offending field.</summary>
public sealed class SpecValidationException : Exception
{
    /// <summary>Creates the exception for <paramref name="field"/>.</summary>
    public SpecValidationException(string field, string problem)
        : base($"Invalid layer spec: '{field}' {problem}")
    {
        Field = field;
    }

    /// <summary>JSON path of the field that is wrong, e.g. <c>parameterRanges[3]</c>.</summary>
    public string Field { get; }
}
