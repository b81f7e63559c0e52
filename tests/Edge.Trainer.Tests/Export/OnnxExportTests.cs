using Edge.Domain.Simulation;
using Edge.Trainer.Export;
using Edge.Trainer.Neural;
using Edge.Trainer.Training;
using Edge.Trainer.Twins;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.ML.OnnxRuntime;

namespace Edge.Trainer.Tests.Export;

/// <summary>
/// Exported graphs run in ONNX Runtime give what the managed forward gives, within 1e-5 (relative to magnitude).
/// The managed engine is the reference: TorchSharp, the usual oracle, cannot load on Debian 12 (docs/decisions.md).
/// </summary>
public sealed class OnnxExportTests
{
    private const float Tolerance = 1e-5f;

    [Property(MaxTest = 40)]
    public Property Mlp_export_matches_the_managed_forward_on_random_shapes_and_weights()
    {
        var cases =
            from depth in Gen.Choose(2, 5)
            from sizes in Gen.ArrayOf(Gen.Choose(1, 48), depth)
            from batch in Gen.Choose(1, 9)
            from seed in Gen.Choose(0, int.MaxValue)
            select (sizes, batch, seed);
        return Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var mlp = new Mlp(c.sizes, (ulong)c.seed);
            var input = RandomValues(c.batch * mlp.InputSize, c.seed, 3f);
            var expected = new float[c.batch * mlp.OutputSize];
            mlp.Forward(input, c.batch, expected);
            AssertClose(expected, Run(OnnxExporter.ExportMlp(mlp, "mlp"), input, c.batch, mlp.InputSize));
        });
    }

    [Fact]
    public void Twin_export_includes_the_drive_and_response_normalisation()
    {
        var spec = PhysicalSystems.Get("electronic").Spec;
        var twin = new MlpTwin(spec, new Mlp([spec.DriveLength, 64, 64, spec.OutputSize], 4), responseMean: 0.37f,
            responseStd: 0.21f);
        const int batch = 16;
        var drives = RandomValues(batch * spec.DriveLength, 8, (float)spec.Dac.Max);
        var expected = new float[batch * spec.OutputSize];
        twin.Forward(drives, batch, expected, twin.CreateWorkspace(batch));
        AssertClose(expected, Run(OnnxExporter.ExportTwin(twin), drives, batch, spec.DriveLength));
    }

    [Fact]
    public async Task Digital_modules_export_to_graphs_that_compute_the_same()
    {
        var affine = new ElementwiseAffine("input", 12);
        Randomise(affine, 1);
        var linear = new DigitalLinear("readout", 12, 7, seed: 2);
        var readout = new BinReadout(12, 7, initialScale: 3.5f);
        foreach (var module in new PnnModule[] { affine, linear, readout })
        {
            const int batch = 5;
            var input = RandomValues(batch * module.InputSize, 3, 2f);
            var expected = new float[batch * module.OutputSize];
            await module.ForwardAsync(input, batch, expected, PassKind.Device, training: false,
                TestContext.Current.CancellationToken);
            AssertClose(expected, Run(OnnxExporter.ExportModule(module, "stage"), input, batch, module.InputSize));
        }
    }

    [Fact]
    public void Physical_layers_have_no_onnx_form()
    {
        var system = PhysicalSystems.Get("electronic");
        var layer = new PhysicalLayer("layer", system.Spec, system.CreateDevice("x", 1), maxBatch: 1, seed: 1);
        var error = Assert.Throws<ArgumentException>(() => OnnxExporter.ExportModule(layer, "layer"));
        Assert.Contains("has no ONNX export", error.Message, StringComparison.Ordinal);
    }

    private static float[] Run(byte[] onnx, float[] input, int batch, int width)
    {
        using var session = new InferenceSession(onnx);
        using var value = OrtValue.CreateTensorValueFromMemory(input, [batch, width]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, ["input"], [value], ["output"]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            var limit = Tolerance * (1 + Math.Abs(expected[i]));
            Assert.True(Math.Abs(expected[i] - actual[i]) <= limit,
                $"value {i}: managed {expected[i]}, ONNX Runtime {actual[i]}");
        }
    }

    private static void Randomise(PnnModule module, int seed)
    {
        var random = new Random(seed);
        foreach (var parameter in module.Parameters)
        {
            for (var i = 0; i < parameter.Value.Length; i++)
            {
                parameter.Value[i] = (float)((random.NextDouble() * 4) - 2);
            }
        }
    }

    private static float[] RandomValues(int count, int seed, float scale)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = (float)(((random.NextDouble() * 2) - 1) * scale);
        }

        return values;
    }
}
