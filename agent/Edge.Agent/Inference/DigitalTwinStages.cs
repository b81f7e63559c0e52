using Edge.Domain.Models;
using Edge.Domain.Specs;

namespace Edge.Agent.Inference;

/// <summary>
/// The package's black-box twin of the physical layer on ONNX Runtime: one drive (DAC units) in, the layer's response
/// (ADC units) out. It stands in for the device while the device is parked, so inference goes on, flagged degraded.
/// </summary>
internal sealed class DigitalTwinStages : IDisposable
{
    private readonly DigitalStageSession _session;

    private DigitalTwinStages(DigitalStageSession session) => _session = session;

    /// <summary>The bound drive buffer.</summary>
    public Span<float> Drive => _session.Input;

    /// <summary>The response <see cref="Run"/> computes.</summary>
    public ReadOnlySpan<float> Response => _session.Output;

    /// <summary>
    /// The twin of <paramref name="package"/> for the layer <paramref name="spec"/>, or null when the package carries
    /// none (a gray-box twin has no ONNX form) or its twin models another layer.
    /// </summary>
    public static DigitalTwinStages? Load(VerifiedModelPackage package, LayerSpec spec)
    {
        if (package.Manifest.Twin is not { } twin
            || !string.Equals(twin.LayerName, spec.Name, StringComparison.Ordinal))
        {
            return null;
        }

        var stage = new ModelStage
        {
            Name = "twin",
            Kind = StageKind.Digital,
            InputSize = spec.DriveLength,
            OutputSize = spec.OutputSize,
            File = twin.File,
        };
        return new DigitalTwinStages(new DigitalStageSession(stage, package.File(twin.File)));
    }

    /// <summary>Computes the twin's response to <see cref="Drive"/>.</summary>
    public void Run() => _session.Run();

    public void Dispose() => _session.Dispose();
}
