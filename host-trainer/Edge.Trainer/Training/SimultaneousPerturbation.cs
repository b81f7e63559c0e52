using Edge.Domain.Simulation;
using Edge.Trainer.Neural;

namespace Edge.Trainer.Training;

/// <summary>
/// Perturbs a set of parameters together along one random ±1 (Rademacher) direction Δ, each value scaled by its
/// own step (a physical parameter by its range's width, a digital weight by 1), and turns two device losses into
/// the SPSA gradient estimate (L⁺ − L⁻) / (2 c s_i) · Δ_i (Spall 1992). Only forward passes are needed.
/// </summary>
public sealed class SimultaneousPerturbation
{
    private readonly (Parameter Parameter, float[] Scale, float[] Saved, sbyte[] Direction)[] _entries;
    private readonly NoiseSource _random;

    /// <summary>Perturbs the parameters of <paramref name="modules"/>; frozen physical values are left alone.</summary>
    public SimultaneousPerturbation(IEnumerable<PnnModule> modules, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(modules);
        _random = new NoiseSource(seed ^ 0x5b5a_0001);
        var entries = new List<(Parameter, float[], float[], sbyte[])>();
        foreach (var module in modules)
        {
            foreach (var (parameter, scale) in Scales(module))
            {
                var length = parameter.Value.Length;
                entries.Add((parameter, scale, new float[length], new sbyte[length]));
            }
        }

        _entries = [.. entries];
    }

    /// <summary>Number of values perturbed (the dimension SPSA searches).</summary>
    public int Dimension => _entries.Sum(e => e.Scale.Count(s => s > 0));

    /// <summary>Draws a fresh direction and remembers the current values.</summary>
    public void Draw()
    {
        foreach (var (parameter, _, saved, direction) in _entries)
        {
            parameter.Value.CopyTo(saved, 0);
            for (var i = 0; i < direction.Length; i++)
            {
                direction[i] = (sbyte)((_random.NextUInt64() & 1) == 0 ? -1 : 1);
            }
        }
    }

    /// <summary>Sets every value to its remembered value plus <paramref name="size"/> · s_i · Δ_i.</summary>
    public void Shift(double size)
    {
        foreach (var (parameter, scale, saved, direction) in _entries)
        {
            for (var i = 0; i < saved.Length; i++)
            {
                parameter.Value[i] = (float)(saved[i] + (size * scale[i] * direction[i]));
            }
        }
    }

    /// <summary>Puts the remembered values back.</summary>
    public void Restore()
    {
        foreach (var (parameter, _, saved, _) in _entries)
        {
            saved.CopyTo(parameter.Value, 0);
        }
    }

    /// <summary>
    /// Adds <paramref name="weight"/> · (L⁺ − L⁻) / (2 c s_i) · Δ_i to each gradient, for losses measured at
    /// <see cref="Shift"/>(+c) and <see cref="Shift"/>(−c).
    /// </summary>
    public void Accumulate(double lossPlus, double lossMinus, double size, double weight)
    {
        var slope = weight * (lossPlus - lossMinus) / (2 * size);
        foreach (var (parameter, scale, _, direction) in _entries)
        {
            for (var i = 0; i < scale.Length; i++)
            {
                if (scale[i] > 0)
                {
                    parameter.Gradient[i] += (float)(slope * direction[i] / scale[i]);
                }
            }
        }
    }

    private static IEnumerable<(Parameter Parameter, float[] Scale)> Scales(PnnModule module)
    {
        if (module is ParallelLayers bank)
        {
            foreach (var branch in bank.Branches)
            {
                foreach (var entry in Scales(branch))
                {
                    yield return entry;
                }
            }

            yield break;
        }

        foreach (var parameter in module.Parameters)
        {
            var scale = new float[parameter.Value.Length];
            if (module is PhysicalLayer layer && ReferenceEquals(parameter, layer.Theta))
            {
                for (var p = 0; p < scale.Length; p++)
                {
                    scale[p] = (float)layer.Spec.ParameterRanges[p].Width;
                }
            }
            else
            {
                Array.Fill(scale, 1f);
            }

            yield return (parameter, scale);
        }
    }
}
