using Edge.Domain.Simulation;
using Edge.Trainer.Neural;
using Edge.Trainer.Twins;

namespace Edge.Trainer.Training;

/// <summary>
/// pat-refine: every PAT step already measures (drive, response) pairs exactly where training operates. This keeps
/// the most recent of them and takes one small Adam step on the twin per training step, mixing new pairs, replayed
/// recent pairs and the original fitting data so the twin sharpens locally without forgetting globally. It costs
/// no extra device passes.
/// </summary>
internal sealed class OnlineTwinRefiner
{
    private readonly MlpTwin _twin;
    private readonly TwinData _data;
    private readonly Adam _adam;
    private readonly NoiseSource _random;
    private readonly float[] _memoryDrives;
    private readonly float[] _memoryResponses;
    private readonly int _driveLength;
    private readonly int _outputs;
    private readonly int _maxRows;
    private readonly float[] _batchInputs;
    private readonly float[] _batchTargets;
    private readonly float[] _prediction;
    private readonly float[] _gradient;
    private readonly MlpActivations _activations;
    private int _stored;
    private int _next;

    public OnlineTwinRefiner(MlpTwin twin, TwinData data, TrainingOptions options, ulong seed)
    {
        _twin = twin;
        _data = data;
        _adam = new Adam(twin.Network.Parameters, options.RefineLearningRate);
        _random = new NoiseSource(seed ^ 0x7ef1);
        _driveLength = twin.Spec.DriveLength;
        _outputs = twin.Spec.OutputSize;
        _memoryDrives = new float[options.RefineMemory * _driveLength];
        _memoryResponses = new float[options.RefineMemory * _outputs];

        // Per step: the new pairs of every layer, as many replayed and twice as many from the fitting data.
        _maxRows = options.BatchSize * 8 * 4;
        _batchInputs = new float[_maxRows * _driveLength];
        _batchTargets = new float[_maxRows * _outputs];
        _prediction = new float[_maxRows * _outputs];
        _gradient = new float[_maxRows * _outputs];
        _activations = new MlpActivations(twin.Network, _maxRows);
    }

    public void Learn(PnnModel model, int batch)
    {
        var rows = 0;
        foreach (var layer in model.PhysicalLayers)
        {
            var drives = layer.PlayedDrives(batch);
            var responses = layer.LastResponses(batch);
            for (var b = 0; b < batch && rows < _maxRows / 4; b++, rows++)
            {
                Append(rows, drives.Slice(b * _driveLength, _driveLength), responses.Slice(b * _outputs, _outputs));
                Remember(drives.Slice(b * _driveLength, _driveLength), responses.Slice(b * _outputs, _outputs));
            }
        }

        var fresh = rows;
        for (var r = 0; r < fresh && _stored > 0; r++, rows++)
        {
            var i = _random.NextInt(_stored);
            Append(rows, _memoryDrives.AsSpan(i * _driveLength, _driveLength),
                _memoryResponses.AsSpan(i * _outputs, _outputs));
        }

        for (var r = 0; r < 2 * fresh; r++, rows++)
        {
            var i = _random.NextInt(_data.TrainCount);
            Append(rows, _data.Drives.AsSpan(i * _driveLength, _driveLength),
                _data.Responses.AsSpan(i * _outputs, _outputs));
        }

        var network = _twin.Network;
        _adam.ZeroGradients();
        network.Forward(_batchInputs.AsSpan(0, rows * _driveLength), rows, _prediction.AsSpan(0, rows * _outputs),
            _activations);
        Losses.MeanSquaredError(_prediction.AsSpan(0, rows * _outputs), _batchTargets.AsSpan(0, rows * _outputs),
            _gradient.AsSpan(0, rows * _outputs));
        network.Backward(_activations, _gradient.AsSpan(0, rows * _outputs), [], accumulateParameterGradients: true);
        _adam.Step();
    }

    private void Append(int row, ReadOnlySpan<float> drive, ReadOnlySpan<float> response)
    {
        _twin.NormaliseDrives(drive, _batchInputs.AsSpan(row * _driveLength, _driveLength));
        _twin.NormaliseResponses(response, _batchTargets.AsSpan(row * _outputs, _outputs));
    }

    private void Remember(ReadOnlySpan<float> drive, ReadOnlySpan<float> response)
    {
        var capacity = _memoryResponses.Length / _outputs;
        drive.CopyTo(_memoryDrives.AsSpan(_next * _driveLength));
        response.CopyTo(_memoryResponses.AsSpan(_next * _outputs));
        _next = (_next + 1) % capacity;
        _stored = Math.Min(_stored + 1, capacity);
    }
}
