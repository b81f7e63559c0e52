using Edge.Domain.Simulation;
using Edge.Domain.Simulation.Duffing;
using Edge.Trainer.Neural;
using Edge.Trainer.Twins;
using FsCheck;
using FsCheck.Fluent;

namespace Edge.Trainer.Tests.Twins;

public sealed class TwinVjpTests
{
    private static readonly MlpTwin Twin = new(DuffingSystem.LayerSpec, new Mlp([24, 32, 32, 12], seed: 4),
        responseMean: 0.1f, responseStd: 0.7f);

    [Fact]
    public void Mlp_twin_vjp_matches_finite_differences_at_any_drive()
    {
        var drives = Gen.Choose(-1000, 1000).Select(v => v / 1000.0).ArrayOf(24).ToArbitrary();
        var weights = Gen.Choose(-1000, 1000).Select(v => v / 1000.0).ArrayOf(12).ToArbitrary();
        Prop.ForAll(drives, weights, (drive, weight) =>
        {
            var workspace = Twin.CreateWorkspace(1);
            var d = drive.Select(v => (float)v).ToArray();
            var g = weight.Select(v => (float)v).ToArray();
            var output = new float[12];
            Twin.Forward(d, 1, output, workspace);
            var gradient = new float[24];
            Twin.Vjp(workspace, g, gradient);

            double Project(float[] x)
            {
                var y = new float[12];
                Twin.Forward(x, 1, y, Twin.CreateWorkspace(1));
                return y.Select((v, i) => v * (double)g[i]).Sum();
            }

            for (var i = 0; i < 24; i++)
            {
                const float h = 1e-2f;
                var plus = (float[])d.Clone();
                var minus = (float[])d.Clone();
                plus[i] += h;
                minus[i] -= h;
                var numeric = (Project(plus) - Project(minus)) / (2 * h);
                if (Math.Abs(numeric - gradient[i]) > 2e-3 + (0.02 * Math.Abs(numeric)))
                {
                    return false;
                }
            }

            return true;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Physics_twin_vjp_matches_finite_differences()
    {
        var twin = new PhysicsTwin(DuffingSystem.OdePhysics, "nominal");
        var random = new NoiseSource(11);
        var drives = new float[3 * 24];
        for (var i = 0; i < drives.Length; i++)
        {
            drives[i] = (float)random.NextUniform(-1, 1);
        }

        var weights = new float[3 * 12];
        for (var i = 0; i < weights.Length; i++)
        {
            weights[i] = (float)random.NextGaussian();
        }

        var workspace = twin.CreateWorkspace(3);
        twin.Forward(drives, 3, new float[36], workspace);
        var gradient = new float[72];
        twin.Vjp(workspace, weights, gradient);
        for (var i = 0; i < drives.Length; i += 7)
        {
            const float h = 1e-3f;
            var plus = (float[])drives.Clone();
            var minus = (float[])drives.Clone();
            plus[i] += h;
            minus[i] -= h;
            var yPlus = new float[36];
            var yMinus = new float[36];
            twin.Forward(plus, 3, yPlus, twin.CreateWorkspace(3));
            twin.Forward(minus, 3, yMinus, twin.CreateWorkspace(3));
            var numeric = yPlus.Select((v, k) => (v - yMinus[k]) * (double)weights[k]).Sum() / (2 * h);
            Assert.Equal(numeric, gradient[i], 2e-3);
        }
    }

    [Fact]
    public async Task Gray_box_fit_recovers_the_parts_true_coefficients()
    {
        var device = DuffingSystem.Instance.CreateDevice("gray", 2, Imperfections.None with { Saturation = true });
        var data = await TwinData.CollectAsync(device, new TwinDataOptions { Samples = 1_500, NoiseFloorSamples = 100 },
            seed: 3, cancellationToken: TestContext.Current.CancellationToken);
        var fit = GrayBoxFitter.Fit(DuffingSystem.OdePhysics, data,
            new GrayBoxOptions { Epochs = 6, LearningRate = 1e-2 }, seed: 1,
                cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(1.07, fit.Twin.Coefficients[0], 0.03);
        Assert.Equal(0.55, fit.Twin.Coefficients[2], 0.06);
        Assert.True(fit.ValidationNmse < 1e-3, $"gray-box NMSE {fit.ValidationNmse}");
        Assert.True(fit.TrainLoss[^1] < fit.TrainLoss[0]);
    }

    [Fact]
    public async Task Mlp_twin_fit_approaches_the_noise_floor_and_reports_it()
    {
        var device = DuffingSystem.Instance.CreateDevice("mlp", 2);
        var data = await TwinData.CollectAsync(device, new TwinDataOptions { Samples = 4_000, NoiseFloorSamples = 500 },
            seed: 3, cancellationToken: TestContext.Current.CancellationToken);
        Assert.InRange(data.NoiseFloorNmse, 0.001, 0.006);
        var fit = MlpTwinFitter.Fit(data, new MlpTwinOptions { Epochs = 15, Hidden = [128, 128] }, seed: 1,
            cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(fit.ValidationNmse < 0.05, $"MLP twin NMSE {fit.ValidationNmse}");
        Assert.True(fit.ValidationLoss[^1] < fit.ValidationLoss[0] / 2);
    }
}
