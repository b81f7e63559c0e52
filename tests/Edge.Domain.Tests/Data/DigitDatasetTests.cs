using System.Buffers.Binary;
using Edge.Domain.Data;

namespace Edge.Domain.Tests.Data;

public sealed class DigitDatasetTests
{
    [Fact]
    public void Fsdd_reduced_set_has_the_conventional_and_speaker_splits()
    {
        var data = FsddDataset.Load(maxIndex: 6);

        Assert.Equal(["george", "jackson", "lucas", "nicolas", "theo"], data.Speakers);
        var conventional = data.Conventional();
        Assert.Equal(250, conventional.Test.Count);
        Assert.Equal(100, conventional.Train.Count);
        var loso = data.LeaveOut("theo");
        Assert.Equal(70, loso.Test.Count);
        Assert.Equal(280, loso.Train.Count);
        Assert.All(conventional.Train.Features, v => Assert.True(float.IsFinite(v)));
        Assert.Contains("Speakers: george", Assert.Throws<ArgumentException>(() => data.LeaveOut("alice")).Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Fsdd_bad_manifest_rows_are_named()
    {
        var folder = Directory.CreateTempSubdirectory("edge-fsdd-");
        try
        {
            var manifest = Path.Combine(folder.FullName, "manifest.csv");
            File.WriteAllText(manifest, "file,digit,speaker,index,split\nrecordings/x.wav,12,bob,0,test\n");
            Assert.Contains("manifest.csv:2: digit '12' is not 0..9", Assert.Throws<InvalidDataException>(()
                => FsddDataset.Load(manifest, new(), null)).Message, StringComparison.Ordinal);

            File.WriteAllText(manifest, "file,digit,speaker,index,split\nrecordings/x.wav,1,bob,0,test\n");
            Assert.Contains("FSDD recording 'recordings/x.wav'", Assert.Throws<InvalidDataException>(()
                => FsddDataset.Load(manifest, new(), null)).Message, StringComparison.Ordinal);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Mnist_loads_down_sampled_images_and_labels()
    {
        var task = MnistDataset.Load(maxPerSplit: 200);

        Assert.Equal(200, task.Train.Count);
        Assert.Equal(MnistDataset.FeatureCount, task.Train.FeatureCount);
        Assert.All(task.Train.Features, v => Assert.InRange(v, 0f, 1f));
        Assert.True(task.Train.Labels.Distinct().Count() == 10);
        Assert.Equal(2004,
            MnistDataset.Load(DataPaths.File("mnist", "test-images-idx3-ubyte"),
                DataPaths.File("mnist", "test-labels-idx1-ubyte")).Count);
    }

    [Fact]
    public void Downsampling_averages_each_two_by_two_block()
    {
        var image = new byte[784];
        image[0] = 255;
        image[29] = 255;
        image[(27 * 28) + 27] = 51;
        var small = new float[196];
        MnistDataset.Downsample(image, small);

        Assert.Equal(0.5f, small[0]);
        Assert.Equal(0.05f, small[195], 1e-6f);
        Assert.Equal(0f, small[1]);
    }

    [Fact]
    public void Idx_faults_are_named()
    {
        var folder = Directory.CreateTempSubdirectory("edge-idx-");
        try
        {
            var images = Path.Combine(folder.FullName, "images");
            var labels = Path.Combine(folder.FullName, "labels");
            File.WriteAllBytes(labels, Header(2049, 2, 8).Concat(new byte[] { 1, 2 }).ToArray());

            File.WriteAllBytes(images, Header(2049, 2, 16, 28, 28));
            Assert.Contains("magic number 2049 is not 2051", Load(images, labels), StringComparison.Ordinal);

            File.WriteAllBytes(images, Header(2051, 2, 16, 28, 28).Concat(new byte[784]).ToArray());
            Assert.Contains("header declares 2 images of 28×28 (1584 bytes)", Load(images, labels),
                StringComparison.Ordinal);

            File.WriteAllBytes(images, Header(2051, 1, 16, 28, 28).Concat(new byte[784]).ToArray());
            Assert.Contains("holds 1 images but", Load(images, labels), StringComparison.Ordinal);

            File.WriteAllBytes(images, Header(2051, 2, 16, 14, 56).Concat(new byte[2 * 784]).ToArray());
            Assert.Contains("images are 14×56, expected 28×28", Load(images, labels), StringComparison.Ordinal);

            File.WriteAllBytes(images, Header(2051, 2, 16, 28, 28).Concat(new byte[2 * 784]).ToArray());
            File.WriteAllBytes(labels, Header(2049, 2, 8).Concat(new byte[] { 1, 12 }).ToArray());
            Assert.Contains("label 1 is 12, not 0..9", Load(images, labels), StringComparison.Ordinal);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static string Load(string images, string labels)
        => Assert.Throws<InvalidDataException>(() => MnistDataset.Load(images, labels)).Message;

    private static byte[] Header(int magic, int count, int length, int rows = 0, int columns = 0)
    {
        var header = new byte[length];
        BinaryPrimitives.WriteInt32BigEndian(header, magic);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), count);
        if (length == 16)
        {
            BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(8), rows);
            BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(12), columns);
        }

        return header;
    }
}
