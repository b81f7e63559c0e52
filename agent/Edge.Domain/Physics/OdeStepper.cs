namespace Edge.Domain.Physics;

/// <summary>The classic fourth-order Runge–Kutta step every ODE layer integrates with.</summary>
public static class OdeStepper
{
    /// <summary>
    /// Advances <paramref name="x"/> by one step <paramref name="h"/> under drive <paramref name="u"/>;
    /// <paramref name="scratch"/> holds at least five state lengths.
    /// </summary>
    public static void Rk4Step<TSystem>(
        in TSystem system, ReadOnlySpan<double> c, Span<double> x, double u, double h, Span<double> scratch)
        where TSystem : struct, IOdeDynamics
    {
        var n = x.Length;
        var k1 = scratch[..n];
        var k2 = scratch.Slice(n, n);
        var k3 = scratch.Slice(2 * n, n);
        var k4 = scratch.Slice(3 * n, n);
        var probe = scratch.Slice(4 * n, n);
        system.Derivative(c, x, u, k1);
        for (var i = 0; i < n; i++)
        {
            probe[i] = x[i] + (0.5 * h * k1[i]);
        }

        system.Derivative(c, probe, u, k2);
        for (var i = 0; i < n; i++)
        {
            probe[i] = x[i] + (0.5 * h * k2[i]);
        }

        system.Derivative(c, probe, u, k3);
        for (var i = 0; i < n; i++)
        {
            probe[i] = x[i] + (h * k3[i]);
        }

        system.Derivative(c, probe, u, k4);
        for (var i = 0; i < n; i++)
        {
            x[i] += h / 6.0 * (k1[i] + (2.0 * k2[i]) + (2.0 * k3[i]) + k4[i]);
        }
    }

    /// <summary>
    /// Lets <paramref name="x"/> ring down undriven for <paramref name="steps"/> (rounded) steps of
    /// <paramref name="h"/>; past <paramref name="settledAfterSteps"/> it is cleared instead, because a passive system
    /// has then settled to rounding error and integrating would only cost time.
    /// </summary>
    public static void Relax<TSystem>(
        in TSystem system, ReadOnlySpan<double> c, Span<double> x, double steps, double settledAfterSteps, double h)
        where TSystem : struct, IOdeDynamics
    {
        if (steps > settledAfterSteps)
        {
            x.Clear();
            return;
        }

        Span<double> scratch = stackalloc double[5 * x.Length];
        for (var k = 0; k < (int)Math.Round(steps); k++)
        {
            Rk4Step(system, c, x, 0.0, h, scratch);
        }
    }
}
