namespace Edge.Domain.Data;

/// <summary>Examples as a row-major feature matrix with integer labels.</summary>
/// <param name="Features">Row-major features, <see cref="FeatureCount"/> per example.</param>
/// <param name="Labels">Class index of each example.</param>
/// <param name="FeatureCount">Features per example.</param>
public sealed record LabelledSet(float[] Features, int[] Labels, int FeatureCount)
{
    /// <summary>Number of examples.</summary>
    public int Count => Labels.Length;

    /// <summary>Features of example <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> Row(int index) => Features.AsSpan(index * FeatureCount, FeatureCount);
}

/// <summary>A classification task: train and test sets and the class names.</summary>
/// <param name="Name">Task name, e.g. <c>vowels</c>.</param>
/// <param name="Train">Training examples.</param>
/// <param name="Test">Test examples.</param>
/// <param name="ClassNames">Name of each class index.</param>
public sealed record ClassificationTask(string Name, LabelledSet Train, LabelledSet Test, IReadOnlyList<string>
    ClassNames)
{
    /// <summary>Number of classes.</summary>
    public int ClassCount => ClassNames.Count;
}
