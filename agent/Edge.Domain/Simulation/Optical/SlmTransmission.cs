namespace Edge.Domain.Simulation.Optical;

/// <summary>
/// Complex field transmission of one liquid-crystal SLM channel between parallel polarisers with the crystal axis
/// at 45°: the drive d ∈ [−1, 1] sets the retardance Γ = π(1 − d)/2, and the field is multiplied by
/// t = (1 + e^{iΓ})/2 = cos(Γ/2)·e^{iΓ/2}. So d = 1 passes the light unchanged, d = −1 blocks it, the intensity
/// transmission is cos²(π(1 − d)/4), and the channel's phase moves with its amplitude — which is what breaks the
/// mirror symmetry of a purely real, amplitude-only shaper.
/// </summary>
public static class SlmTransmission
{
    /// <summary>Retardance Γ in radians for drive <paramref name="drive"/>.</summary>
    public static double Retardance(double drive) => Math.PI * (1.0 - drive) / 2.0;

    /// <summary>Drive that gives field amplitude |t| = <paramref name="amplitude"/> ∈ [0, 1].</summary>
    public static double DriveForAmplitude(double amplitude) => 1.0 - (4.0 * Math.Acos(amplitude) / Math.PI);

    /// <summary>Complex transmission t(d) = (1 + e^{iΓ})/2.</summary>
    public static (double Re, double Im) Transmission(double drive)
    {
        var (sin, cos) = Math.SinCos(Retardance(drive));
        return ((1.0 + cos) / 2.0, sin / 2.0);
    }

    /// <summary>dt/dd = (i e^{iΓ}/2)·dΓ/dd with dΓ/dd = −π/2, i.e. −(iπ/4)·e^{iΓ}.</summary>
    public static (double Re, double Im) Derivative(double drive)
    {
        var (sin, cos) = Math.SinCos(Retardance(drive));
        const double quarterPi = Math.PI / 4.0;
        return (quarterPi * sin, -quarterPi * cos);
    }
}
