using Edge.Trainer.Training;
using Edge.Trainer.Twins;

namespace Edge.Trainer.Recipes;

/// <summary>A fitted twin with the data it was fitted on.</summary>
/// <param name="Twin">The twin.</param>
/// <param name="Data">The measured drives and responses (its last part held out).</param>
/// <param name="ValidationNmse">NMSE on the held-out drives.</param>
/// <param name="Curve">Validation NMSE (gray-box: training loss) per epoch.</param>
public sealed record PipelineTwin(ITwin Twin, TwinData Data, double ValidationNmse, IReadOnlyList<double> Curve)
{
    /// <summary>Measured and twin-predicted responses of up to <paramref name="count"/> held-out drives.</summary>
    public (float[] Measured, float[] Predicted) Parity(int count)
    {
        count = Math.Min(count, Data.Count - Data.TrainCount);
        var outputs = Data.Spec.OutputSize;
        var driveLength = Data.Spec.DriveLength;
        var predicted = new float[count * outputs];
        Twin.Forward(
            Data.Drives.AsSpan(Data.TrainCount * driveLength, count * driveLength), count, predicted,
            Twin.CreateWorkspace(count));
        return (Data.Responses.AsSpan(Data.TrainCount * outputs, count * outputs).ToArray(), predicted);
    }
}

/// <summary>One network trained by <see cref="TrainingPipeline.RunAsync"/>.</summary>
/// <param name="Recipe">What was trained.</param>
/// <param name="Model">The trained network.</param>
/// <param name="Twin">The twin it was trained with.</param>
/// <param name="Result">What the training measured through the device.</param>
public sealed record PipelineRun(TrainingRecipe Recipe, PnnModel Model, PipelineTwin Twin, TrainingResult Result);
