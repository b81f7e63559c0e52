using Edge.Domain.Physics;
using Edge.Domain.Specs;

namespace Edge.Domain.Simulation;

/// <summary>A kind of physical layer Edge can simulate: its spec, its nominal physics and how to build a
/// part.</summary>
public interface IPhysicalSystem
{
    /// <summary>Name used on the command line and in specs (e.g. <c>electronic</c>).</summary>
    string Name { get; }

    /// <summary>One-line description for help texts and reports.</summary>
    string Description { get; }

    /// <summary>The layer spec.</summary>
    LayerSpec Spec { get; }

    /// <summary>The nominal, differentiable physics (datasheet values in <see
    /// cref="IDifferentiablePhysics.Coefficients"/>).</summary>
    IDifferentiablePhysics Physics { get; }

    /// <summary>The imperfections a part has unless told otherwise.</summary>
    Imperfections DefaultImperfections { get; }

    /// <summary>Creates a simulated part; <paramref name="imperfections"/> defaults to <see
    /// cref="DefaultImperfections"/>.</summary>
    SimulatedDevice CreateDevice(string deviceId, ulong seed, Imperfections? imperfections = null);
}
