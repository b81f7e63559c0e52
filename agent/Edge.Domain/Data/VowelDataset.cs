using System.Globalization;

namespace Edge.Domain.Data;

/// <summary>
/// The paper's vowel task (shared/data/vowels/vowels.csv): 12 formant features, 7 classes, the reference 210/49 split.
/// </summary>
public static class VowelDataset
{
    /// <summary>Features per example.</summary>
    public const int FeatureCount = 12;

    private const string Header = "split,label,label_name,f1,f2,f3,f4,f5,f6,f7,f8,f9,f10,f11,f12";

    /// <summary>Class names by label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } = ["ae", "ah", "aw", "uw", "er", "iy", "ih"];

    /// <summary>Loads the task from the shared data folder.</summary>
    public static ClassificationTask Load() => Load(DataPaths.File("vowels", "vowels.csv"));

    /// <summary>Loads the task from <paramref name="path"/>; a malformed line raises <see cref="InvalidDataException"/>
    /// naming it.</summary>
    public static ClassificationTask Load(string path)
    {
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0 || lines[0].Trim() != Header)
        {
            throw new InvalidDataException($"{path}: expected header '{Header}'.");
        }

        var train = new Accumulator();
        var test = new Accumulator();
        for (var i = 1; i < lines.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i]))
            {
                continue;
            }

            var fields = lines[i].Split(',');
            if (fields.Length != 3 + FeatureCount)
            {
                throw new
                    InvalidDataException($"{path}:{i + 1}: expected {3 + FeatureCount} fields, found {fields.Length}.");
            }

            var target = fields[0] switch
            {
                "train" => train,
                "test" => test,
                _ => throw new
                    InvalidDataException($"{path}:{i + 1}: split must be 'train' or 'test', was '{fields[0]}'."),
            };
            if (!int.TryParse(fields[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var label) || label < 0
                || label >= ClassNames.Count)
            {
                throw new
                    InvalidDataException($"{path}:{i + 1}: label '{fields[1]}' is not a class index "
                        + $"0..{ClassNames.Count - 1}.");
            }

            target.Labels.Add(label);
            for (var f = 0; f < FeatureCount; f++)
            {
                if (!float.TryParse(fields[3 + f], NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
                    || !float.IsFinite(value))
                {
                    throw new
                        InvalidDataException($"{path}:{i + 1}: feature f{f + 1} '{fields[3 + f]}' is not a number.");
                }

                target.Features.Add(value);
            }
        }

        return new ClassificationTask("vowels", train.Build(), test.Build(), ClassNames);
    }

    private sealed class Accumulator
    {
        public List<float> Features { get; } = [];

        public List<int> Labels { get; } = [];

        public LabelledSet Build() => new([.. Features], [.. Labels], FeatureCount);
    }
}
