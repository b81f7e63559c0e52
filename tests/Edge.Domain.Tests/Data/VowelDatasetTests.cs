using System.Security.Cryptography;
using Edge.Domain.Data;

namespace Edge.Domain.Tests.Data;

public sealed class VowelDatasetTests
{
    [Fact]
    public void Shared_file_matches_its_published_checksum()
    {
        var path = DataPaths.File("vowels", "vowels.csv");
        var hash = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
        Assert.Equal("185234db11c944d60f653afd4ad5e315ffc4cb11f985a13c25a2feb212a545ce", hash);
    }

    [Fact]
    public void Loads_the_reference_split()
    {
        var task = VowelDataset.Load();
        Assert.Equal(210, task.Train.Count);
        Assert.Equal(49, task.Test.Count);
        Assert.Equal(7, task.ClassCount);
        Assert.Equal(12, task.Train.FeatureCount);
        Assert.All(task.Train.Features, f => Assert.InRange(f, 0.25f, 1f));
        Assert.Equal([8, 7, 6, 9, 4, 8, 7], Enumerable.Range(0, 7).Select(c => task.Test.Labels.Count(l => l == c)));
    }

    [Theory]
    [InlineData("wrong,header\n", "expected header")]
    [InlineData("split,label,label_name,f1,f2,f3,f4,f5,f6,f7,f8,f9,f10,f11,f12\ntrain,1,ah,0.5\n",
        ":2: expected 15 fields")]
    [InlineData("split,label,label_name,f1,f2,f3,f4,f5,f6,f7,f8,f9,f10,f11,f12\nvalid,1,ah,1,1,1,1,1,1,1,1,1,1,1,1\n",
        "split must be")]
    [InlineData("split,label,label_name,f1,f2,f3,f4,f5,f6,f7,f8,f9,f10,f11,f12\ntrain,9,ah,1,1,1,1,1,1,1,1,1,1,1,1\n",
        "label '9'")]
    [InlineData("split,label,label_name,f1,f2,f3,f4,f5,f6,f7,f8,f9,f10,f11,f12\ntrain,1,ah,1,1,x,1,1,1,1,1,1,1,1,1\n",
        "feature f3 'x'")]
    public void Malformed_files_name_the_problem(string content, string message)
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, content);
            var error = Assert.Throws<InvalidDataException>(() => VowelDataset.Load(path));
            Assert.Contains(message, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Missing_data_root_is_reported_with_its_path()
    {
        var previous = Environment.GetEnvironmentVariable(DataPaths.OverrideVariable);
        try
        {
            Environment.SetEnvironmentVariable(DataPaths.OverrideVariable, "/nonexistent/edge-data");
            var error = Assert.Throws<DirectoryNotFoundException>(DataPaths.Root);
            Assert.Contains("/nonexistent/edge-data", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(DataPaths.OverrideVariable, previous);
        }
    }
}
