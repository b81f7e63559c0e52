using System.Buffers.Binary;

namespace Edge.Domain.Data;

/// <summary>
/// MNIST in IDX format (shared/data/mnist): checked magic numbers and dimensions, pixels down-sampled 2×2 to 14×14
/// (196 features in [0, 1]) as the paper drove its devices.
/// </summary>
public static class MnistDataset
{
    /// <summary>Magic number of an IDX image file (unsigned bytes, 3 dimensions).</summary>
    public const int ImagesMagic = 2051;

    /// <summary>Magic number of an IDX label file (unsigned bytes, 1 dimension).</summary>
    public const int LabelsMagic = 2049;

    /// <summary>Side of the down-sampled image.</summary>
    public const int Side = 14;

    /// <summary>Features per example (14 × 14).</summary>
    public const int FeatureCount = Side * Side;

    /// <summary>Class names by label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

    /// <summary>Loads the shared train/test files; <paramref name="maxPerSplit"/> keeps that many evenly spaced
    /// examples (tests).</summary>
    public static ClassificationTask Load(int? maxPerSplit = null) => new(
        "mnist",
        Load(DataPaths.File("mnist", "train-images-idx3-ubyte"), DataPaths.File("mnist", "train-labels-idx1-ubyte"),
            maxPerSplit),
        Load(DataPaths.File("mnist", "test-images-idx3-ubyte"), DataPaths.File("mnist", "test-labels-idx1-ubyte"),
            maxPerSplit),
        ClassNames);

    /// <summary>
    /// Loads one image/label file pair; malformed files raise <see cref="InvalidDataException"/> naming the problem.
    /// <paramref name="maxCount"/> keeps evenly spaced examples, so a subset of a file sorted by digit still has every
    /// digit.
    /// </summary>
    public static LabelledSet Load(string imagesPath, string labelsPath, int? maxCount = null)
    {
        var images = File.ReadAllBytes(imagesPath);
        var labels = File.ReadAllBytes(labelsPath);
        var (count, rows, columns) = ImageHeader(images, imagesPath);
        var labelCount = LabelHeader(labels, labelsPath);
        if (labelCount != count)
        {
            throw new
                InvalidDataException($"{imagesPath} holds {count} images but {labelsPath} holds {labelCount} labels.");
        }

        if (rows != 28 || columns != 28)
        {
            throw new InvalidDataException($"{imagesPath}: images are {rows}×{columns}, expected 28×28.");
        }

        var kept = Math.Min(count, maxCount ?? count);
        var features = new float[kept * FeatureCount];
        var classes = new int[kept];
        for (var i = 0; i < kept; i++)
        {
            var source = (int)((long)i * count / kept);
            classes[i] = labels[8 + source] <= 9 ? labels[8 + source]
                : throw new InvalidDataException($"{labelsPath}: label {source} is {labels[8 + source]}, not 0..9.");
            Downsample(images.AsSpan(16 + (source * 784), 784), features.AsSpan(i * FeatureCount, FeatureCount));
        }

        return new LabelledSet(features, classes, FeatureCount);
    }

    /// <summary>
    /// <paramref name="set"/> followed by four copies of every image moved by one pixel (up, down, left, right; the
    /// uncovered edge is black): a written digit is still the same digit a pixel away, and a network that sees only
    /// centred digits learns their exact position.
    /// </summary>
    public static LabelledSet WithShiftedCopies(LabelledSet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        if (set.FeatureCount != FeatureCount)
        {
            throw new
                ArgumentException($"Shifted copies need {Side}×{Side} images ({FeatureCount} features), not "
                    + $"{set.FeatureCount}.", nameof(set));
        }

        ReadOnlySpan<(int Rows, int Columns)> shifts = [(-1, 0), (1, 0), (0, -1), (0, 1)];
        var features = new float[set.Features.Length * (shifts.Length + 1)];
        var labels = new int[set.Count * (shifts.Length + 1)];
        set.Features.CopyTo(features, 0);
        set.Labels.CopyTo(labels, 0);
        for (var k = 0; k < shifts.Length; k++)
        {
            var (dr, dc) = shifts[k];
            for (var i = 0; i < set.Count; i++)
            {
                var copy = ((k + 1) * set.Count) + i;
                labels[copy] = set.Labels[i];
                var source = set.Row(i);
                var destination = features.AsSpan(copy * FeatureCount, FeatureCount);
                for (var r = 0; r < Side; r++)
                {
                    for (var c = 0; c < Side; c++)
                    {
                        var (sr, sc) = (r - dr, c - dc);
                        destination[(r * Side) + c] = sr is >= 0 and < Side && sc is >= 0 and < Side
                            ? source[(sr * Side) + sc] : 0f;
                    }
                }
            }
        }

        return new LabelledSet(features, labels, FeatureCount);
    }

    /// <summary>Mean of each 2×2 block of a 28×28 byte image, scaled to [0, 1].</summary>
    public static void Downsample(ReadOnlySpan<byte> image, Span<float> destination)
    {
        for (var r = 0; r < Side; r++)
        {
            for (var c = 0; c < Side; c++)
            {
                var at = (2 * r * 28) + (2 * c);
                destination[(r * Side) + c] = (image[at] + image[at + 1] + image[at + 28] + image[at + 29])
                    / (4f * 255f);
            }
        }
    }

    private static (int Count, int Rows, int Columns) ImageHeader(byte[] data, string path)
    {
        if (data.Length < 16)
        {
            throw new
                InvalidDataException($"{path}: {data.Length} bytes is too short for an IDX image header (16 bytes).");
        }

        var magic = BinaryPrimitives.ReadInt32BigEndian(data);
        if (magic != ImagesMagic)
        {
            throw new
                InvalidDataException($"{path}: magic number {magic} is not {ImagesMagic} (IDX unsigned-byte images).");
        }

        var count = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(4));
        var rows = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(8));
        var columns = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(12));
        if (count < 0 || rows <= 0 || columns <= 0)
        {
            throw new InvalidDataException($"{path}: invalid dimensions {count}×{rows}×{columns}.");
        }

        if (data.Length != 16L + ((long)count * rows * columns))
        {
            throw new
                InvalidDataException($"{path}: {data.Length} bytes, but the header declares {count} images of "
                    + $"{rows}×{columns} ({16L + ((long)count * rows * columns)} bytes).");
        }

        return (count, rows, columns);
    }

    private static int LabelHeader(byte[] data, string path)
    {
        if (data.Length < 8)
        {
            throw new
                InvalidDataException($"{path}: {data.Length} bytes is too short for an IDX label header (8 bytes).");
        }

        var magic = BinaryPrimitives.ReadInt32BigEndian(data);
        if (magic != LabelsMagic)
        {
            throw new
                InvalidDataException($"{path}: magic number {magic} is not {LabelsMagic} (IDX unsigned-byte labels).");
        }

        var count = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(4));
        if (count < 0 || data.Length != 8L + count)
        {
            throw new
                InvalidDataException($"{path}: {data.Length} bytes, but the header declares {count} labels "
                    + $"({8L + count} bytes).");
        }

        return count;
    }
}
