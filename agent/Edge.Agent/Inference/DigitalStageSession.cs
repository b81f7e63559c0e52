using Edge.Domain.Models;
using Microsoft.ML.OnnxRuntime;

namespace Edge.Agent.Inference;

/// <summary>
/// One digital stage on ONNX Runtime: the session is created once, and the input and output tensors are bound once
/// to pinned buffers, so a run allocates nothing on the managed heap.
/// </summary>
internal sealed class DigitalStageSession : IDisposable
{
    private readonly InferenceSession _session;
    private readonly OrtValue _inputValue;
    private readonly OrtValue _outputValue;
    private readonly OrtIoBinding _binding;
    private readonly RunOptions _runOptions = new();

    public DigitalStageSession(ModelStage stage, ReadOnlyMemory<byte> onnx)
    {
        OnnxRuntimeTelemetry.EnsureDisabled();
        Name = stage.Name;
        Input = new float[stage.InputSize];
        Output = new float[stage.OutputSize];
        using var options = new SessionOptions
        {
            // Stages are tiny: one thread each avoids thread-pool hand-offs that cost more than the maths.
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            // Buffers are bound once, so the arena and memory-pattern planner only cost resident memory on the Pi.
            EnableCpuMemArena = false,
            EnableMemoryPattern = false,
        };
        try
        {
            _session = new InferenceSession(onnx.ToArray(), options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new ModelPackageException($"Stage '{stage.Name}': ONNX Runtime cannot load its graph: {e.Message}",
                e);
        }

        _inputValue = OrtValue.CreateTensorValueFromMemory(Input, [1, stage.InputSize]);
        _outputValue = OrtValue.CreateTensorValueFromMemory(Output, [1, stage.OutputSize]);
        _binding = _session.CreateIoBinding();
        try
        {
            _binding.BindInput("input", _inputValue);
            _binding.BindOutput("output", _outputValue);
            Run();
        }
        catch (OnnxRuntimeException e)
        {
            Dispose();
            throw new
                ModelPackageException($"Stage '{stage.Name}': its graph does not map input [1, {stage.InputSize}] to "
                    + $"output [1, {stage.OutputSize}]: {e.Message}", e);
        }
    }

    /// <summary>Stage name from the manifest.</summary>
    public string Name { get; }

    /// <summary>The bound input buffer: write the example here before <see cref="Run"/>.</summary>
    public float[] Input { get; }

    /// <summary>The bound output buffer <see cref="Run"/> fills.</summary>
    public float[] Output { get; }

    /// <summary>Runs the stage on <see cref="Input"/> into <see cref="Output"/>.</summary>
    public void Run() => _session.RunWithBinding(_runOptions, _binding);

    public void Dispose()
    {
        _binding.Dispose();
        _inputValue.Dispose();
        _outputValue.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
    }
}
