using Edge.Trainer.Neural;

namespace Edge.Trainer.Training;

/// <summary>
/// Physical local learning: the network is cut after every physical layer into blocks (the digital modules that
/// feed a physical layer, and that layer), and each block learns only from a layer-local objective — the
/// cross-entropy of a training-only linear head on the layer's measured output (the last block's head is the
/// network's own readout). No error crosses a block boundary and nothing is differentiated through the physics:
/// the heads get exact gradients (they see only measurements), and each block's own values (digital glue and θ) get
/// a forward-only SPSA estimate of their local objective, replaying just that block on the inputs it received in
/// the unperturbed pass. SPSA estimates only the local cross-entropy: the drives' range penalty is a known function
/// of the drives, so its exact gradient is back-propagated from the unperturbed pass (forward-only layers pass back
/// only that, so nothing crosses a block boundary). In the spirit of forward-forward (Hinton 2022) and PhyLL
/// (Momeni et al. 2023): local objectives, forward passes only.
/// </summary>
public sealed class PhysicalLocalLearning : IForwardOnlyTraining
{
    private const double PerturbationDecay = 0.101;

    private readonly PnnModel _model;
    private readonly Block[] _blocks;
    private readonly int _directions;
    private readonly double _size;
    private readonly int _tail;
    private readonly float[] _logitGradient;
    private long _step;

    /// <summary>
    /// Prepares local learning for <paramref name="model"/>; its physical layers become forward-only.
    /// </summary>
    public PhysicalLocalLearning(PnnModel model, TrainingOptions options, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        _model = model;
        _directions = options.PerturbationDirections;
        _size = options.PerturbationSize;
        _tail = model.LastPhysicalModule + 1;
        if (_tail == 0)
        {
            throw new InvalidOperationException(
                "Physical local learning needs a physical layer; this network has none.");
        }

        var blocks = new List<Block>();
        var start = 0;
        for (var i = 0; i < _tail; i++)
        {
            if (!HoldsPhysics(model.Modules[i]))
            {
                continue;
            }

            var modules = model.Modules.Skip(start).Take(i + 1 - start).ToList();
            var last = i + 1 == _tail;
            var head = last
                ? model.Modules.Skip(_tail).ToList()
                : [new DigitalLinear($"local{blocks.Count}.head", model.Modules[i].OutputSize, model.ClassCount,
                    seed + 101 + (ulong)blocks.Count)];
            blocks.Add(new Block(
                start,
                i + 1,
                new ModuleChain(modules.Concat(head), model.MaxBatch),
                head,
                new SimultaneousPerturbation(modules, seed + (ulong)blocks.Count),
                last));
            start = i + 1;
        }

        _blocks = [.. blocks];
        _logitGradient = new float[model.MaxBatch * model.ClassCount];
        ExtraParameters = [.. _blocks.Where(b => !b.IsLast).SelectMany(b => b.Head.SelectMany(m => m.Parameters))];
        foreach (var layer in model.PhysicalLayers)
        {
            layer.ForwardOnly = true;
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<Parameter> ExtraParameters { get; }

    /// <inheritdoc />
    public async ValueTask<(double Loss, int Correct)> StepAsync(
        float[] inputs, int[] labels, int batch, CancellationToken cancellationToken)
    {
        var (loss, correct, gradient) = await DeviceBatchLoss.PlayAsync(
            _model, inputs, labels, batch, _logitGradient, cancellationToken).ConfigureAwait(false);
        // The readout's exact gradient, and each block's range penalty's (forward-only layers stop the rest).
        _model.Backward(gradient.Span, batch);

        var size = _size / Math.Pow(++_step, PerturbationDecay);
        foreach (var block in _blocks)
        {
            // The block's input as the unperturbed pass produced it (the replays write only their own buffers).
            var input = _model.Activation(block.Start);
            if (!block.IsLast)
            {
                await TrainHeadAsync(block, _model.Activation(block.End), labels, batch, cancellationToken)
                    .ConfigureAwait(false);
            }

            for (var d = 0; d < _directions; d++)
            {
                block.Perturbation.Draw();
                block.Perturbation.Shift(size);
                var plus = await LocalLossAsync(block, input, labels, batch, cancellationToken).ConfigureAwait(false);
                block.Perturbation.Shift(-size);
                var minus = await LocalLossAsync(block, input, labels, batch, cancellationToken).ConfigureAwait(false);
                block.Perturbation.Restore();
                block.Perturbation.Accumulate(plus, minus, size, 1.0 / _directions);
            }
        }

        return (loss, correct);
    }

    private static bool HoldsPhysics(PnnModule module)
        => module is PhysicalLayer || (module is ParallelLayers bank && bank.PhysicalLayers.Count > 0);

    private async ValueTask<double> LocalLossAsync(
        Block block, float[] input, int[] labels, int batch, CancellationToken cancellationToken)
    {
        var classes = _model.ClassCount;
        var logits = await block.Replay.ForwardAsync(input, batch, cancellationToken).ConfigureAwait(false);
        return Losses.SoftmaxCrossEntropy(logits.AsSpan(0, batch * classes), labels.AsSpan(0, batch), classes, []);
    }

    // The head of a hidden block is digital and sees only the measured output: its gradient is exact.
    private async ValueTask TrainHeadAsync(
        Block block, float[] measured, int[] labels, int batch, CancellationToken cancellationToken)
    {
        var head = block.Head[0];
        var classes = _model.ClassCount;
        var logits = block.HeadLogits;
        await head.ForwardAsync(measured, batch, logits, PassKind.Device, training: true, cancellationToken)
            .ConfigureAwait(false);
        var gradient = block.HeadGradient.AsSpan(0, batch * classes);
        Losses.SoftmaxCrossEntropy(logits.AsSpan(0, batch * classes), labels.AsSpan(0, batch), classes, gradient);
        head.Backward(measured, batch, block.HeadGradient, block.HeadInputGradient);
    }

    private sealed record Block(
        int Start,
        int End,
        ModuleChain Replay,
        IReadOnlyList<PnnModule> Head,
        SimultaneousPerturbation Perturbation,
        bool IsLast)
    {
        public float[] HeadLogits { get; } = new float[Replay.Modules[^1].OutputSize * MaxBatchOf(Replay)];

        public float[] HeadGradient { get; } = new float[Replay.Modules[^1].OutputSize * MaxBatchOf(Replay)];

        public float[] HeadInputGradient { get; } = new float[Head[0].InputSize * MaxBatchOf(Replay)];

        private static int MaxBatchOf(ModuleChain chain) => chain.MaxBatch;
    }
}
