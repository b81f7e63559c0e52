namespace Edge.Devices.Analog;

/// <summary>Argument checks shared by the converter bindings, so every chip rejects a bad code with the same
/// message.</summary>
internal static class ConverterCodes
{
    public static void CheckCode(string chip, int code, int bits)
    {
        var max = (1 << bits) - 1;
        if ((uint)code > (uint)max)
        {
            throw new ArgumentOutOfRangeException(nameof(code), code, $"{chip}: a {bits}-bit code must be in 0…{max}.");
        }
    }
}
