using Edge.Trainer.Neural;
using Edge.Trainer.Training;
using Edge.Trainer.Twins;

namespace Edge.Trainer.Export;

/// <summary>
/// Writes the trainer's digital modules and black-box twins as ONNX graphs computing exactly what the managed
/// forward computes (same operation order where it matters), so ONNX Runtime on the agent reproduces it.
/// </summary>
public static class OnnxExporter
{
    /// <summary>Exports one digital module (element-wise affine, dense layer or bin readout) to ONNX bytes.</summary>
    public static byte[] ExportModule(PnnModule module, string name)
    {
        ArgumentNullException.ThrowIfNull(module);
        var graph = new OnnxGraphBuilder(name, module.InputSize);
        switch (module)
        {
            case ElementwiseAffine affine:
                // y = scale ⊙ x + offset, broadcast over the batch.
                graph.Apply("Mul", graph.Constant("scale", affine.Parameters[0].Value, 1, module.InputSize));
                graph.Apply("Add", graph.Constant("offset", affine.Parameters[1].Value, 1, module.InputSize));
                break;
            case DigitalLinear linear:
                Dense(graph, "linear", linear.Parameters[0].Value, linear.Parameters[1].Value, module.InputSize,
                    module.OutputSize);
                break;
            case BinReadout readout:
                // logits = a · x[:, :classes]
                graph.ApplyTo("Slice",
                    [graph.Current, graph.Int64Constant("starts", 0), graph.Int64Constant("ends", module.OutputSize),
                        graph.Int64Constant("axes", 1)], []);
                graph.Apply("Mul", graph.Constant("readout_scale", readout.Parameters[0].Value, 1));
                break;
            default:
                throw new ArgumentException($"Module '{name}' ({module.GetType().Name}) has no ONNX export.",
                    nameof(module));
        }

        return graph.Build(module.OutputSize, $"Edge digital stage '{name}' ({module.GetType().Name})");
    }

    /// <summary>Exports <paramref name="network"/> alone (Gemm + SiLU, no normalisation).</summary>
    public static byte[] ExportMlp(Mlp network, string name)
    {
        ArgumentNullException.ThrowIfNull(network);
        var graph = new OnnxGraphBuilder(name, network.InputSize);
        AppendMlp(graph, network);
        return graph.Build(network.OutputSize, $"MLP {string.Join('-', network.LayerSizes)} (SiLU)");
    }

    /// <summary>Exports the twin: drives in DAC units → normalised → MLP → responses in ADC units.</summary>
    public static byte[] ExportTwin(MlpTwin twin)
    {
        ArgumentNullException.ThrowIfNull(twin);
        var spec = twin.Spec;
        var graph = new OnnxGraphBuilder($"{spec.Name}-twin", spec.DriveLength);
        var centre = (float)((spec.Dac.Max + spec.Dac.Min) / 2);
        var inverseHalfRange = 1f / (float)((spec.Dac.Max - spec.Dac.Min) / 2);
        graph.Apply("Sub", graph.Constant("drive_centre", [centre], 1));
        graph.Apply("Mul", graph.Constant("drive_inverse_half_range", [inverseHalfRange], 1));
        AppendMlp(graph, twin.Network);
        graph.Apply("Mul", graph.Constant("response_std", [twin.ResponseStd], 1));
        graph.Apply("Add", graph.Constant("response_mean", [twin.ResponseMean], 1));
        return graph.Build(spec.OutputSize, $"Black-box twin of '{spec.Name}': {twin.Description}");
    }

    private static void AppendMlp(OnnxGraphBuilder graph, Mlp network)
    {
        var sizes = network.LayerSizes;
        for (var l = 0; l < sizes.Count - 1; l++)
        {
            Dense(graph, $"layer{l}", network.Parameters[2 * l].Value, network.Parameters[(2 * l) + 1].Value, sizes[l],
                sizes[l + 1]);
            if (l < sizes.Count - 2)
            {
                // SiLU(z) = z · σ(z), as the managed forward computes it.
                var z = graph.Current;
                var sigmoid = graph.ApplyTo("Sigmoid", [z], []);
                graph.ApplyTo("Mul", [z, sigmoid], []);
            }
        }
    }

    private static void Dense(OnnxGraphBuilder graph, string name, float[] weight, float[] bias, int fanIn, int fanOut)
    {
        // Weights are [out, in] as in nn.Linear, so Gemm multiplies by the transpose.
        var w = graph.Constant($"{name}.weight", weight, fanOut, fanIn);
        var b = graph.Constant($"{name}.bias", bias, fanOut);
        graph.ApplyTo("Gemm", [graph.Current, w, b], [OnnxGraphBuilder.IntAttribute("transB", 1)]);
    }
}
