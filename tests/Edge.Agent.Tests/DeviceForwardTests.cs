using System.Globalization;
using Edge.Agent.Commands;
using Edge.Agent.Csv;
using Edge.Domain.Simulation;

namespace Edge.Agent.Tests;

public sealed class DeviceForwardTests
{
    private const string DeviceId = "bench-part-3";
    private const ulong Seed = 11;

    [Fact]
    public async Task Forward_round_trips_the_duffing_device_responses_through_csv()
    {
        using var directory = new TempDirectory();
        var system = PhysicalSystems.Get("duffing");
        var drives = RandomDrives(system, count: 5, seed: 3);
        var drivesPath = directory.File("drives.csv");
        await using (var writer = File.CreateText(drivesPath))
        {
            ValueCsv.Write(writer, drives, system.Spec.DriveLength);
        }

        var outPath = directory.File("responses.csv");
        var (exitCode, output, error) = await Forward("--drives", drivesPath, "--out", outPath);

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Empty(output);
        Assert.Empty(error);
        var written = ValueCsv.Read(outPath, system.Spec.OutputSize);
        var expected = new float[5 * system.Spec.OutputSize];
        await system.CreateDevice(DeviceId, Seed).ForwardAsync(drives, expected, TestContext.Current.CancellationToken);
        Assert.Equal(expected, written);
        Assert.Equal(5, File.ReadAllLines(outPath).Length);
        Assert.Empty(Directory.GetFiles(directory.Path, "*.tmp"));
    }

    [Fact]
    public async Task Forward_without_out_writes_the_responses_to_stdout()
    {
        using var directory = new TempDirectory();
        var system = PhysicalSystems.Get("duffing");
        var drives = RandomDrives(system, count: 2, seed: 4);
        var drivesPath = directory.File("drives.csv");
        File.WriteAllText(drivesPath, ToCsv(drives, system.Spec.DriveLength));

        var (exitCode, output, _) = await Forward("--drives", drivesPath);

        Assert.Equal(ExitCodes.Success, exitCode);
        var expected = new float[2 * system.Spec.OutputSize];
        await system.CreateDevice(DeviceId, Seed).ForwardAsync(drives, expected, TestContext.Current.CancellationToken);
        Assert.Equal(expected, ValueCsv.Read(new StringReader(output), "stdout", system.Spec.OutputSize));
    }

    [Theory]
    [InlineData("abc", 3, "field 4: 'abc' is not a number")]
    [InlineData("0.5f", 3, "field 4: '0.5f' is not a number")]
    [InlineData("NaN", 3, "field 4: 'NaN' is not a finite")]
    [InlineData("1e39", 3, "field 4: '1e39' is not a finite")]
    public async Task Malformed_value_names_file_line_and_field_and_writes_nothing(string badValue, int line,
        string expectedProblem)
    {
        using var directory = new TempDirectory();
        var drivesPath = directory.File("drives.csv");
        var good = string.Join(',', Enumerable.Repeat("0.25", 24));
        var bad = string.Join(',', Enumerable.Repeat("0.25", 3).Append(badValue).Concat(Enumerable.Repeat("0.5", 20)));
        File.WriteAllText(drivesPath, $"{good}\n\n{bad}\n{good}\n");
        var outPath = directory.File("responses.csv");
        File.WriteAllText(outPath, "previous results\n");

        var (exitCode, output, error) = await Forward("--drives", drivesPath, "--out", outPath);

        Assert.Equal(ExitCodes.InvalidInput, exitCode);
        Assert.Empty(output);
        Assert.Contains($"{drivesPath}:{line}: {expectedProblem}", error, StringComparison.Ordinal);
        Assert.Equal("previous results\n", File.ReadAllText(outPath));
        Assert.Equal(2, Directory.GetFiles(directory.Path).Length);
    }

    [Theory]
    [InlineData(23)]
    [InlineData(25)]
    public async Task Wrong_value_count_names_the_line_and_both_counts(int count)
    {
        using var directory = new TempDirectory();
        var drivesPath = directory.File("drives.csv");
        File.WriteAllText(drivesPath, string.Join(',', Enumerable.Repeat("0.1", count)) + "\n");
        var outPath = directory.File("responses.csv");

        var (exitCode, _, error) = await Forward("--drives", drivesPath, "--out", outPath);

        Assert.Equal(ExitCodes.InvalidInput, exitCode);
        Assert.Contains($"{drivesPath}:1: expected 24 comma-separated values, found {count}.", error,
            StringComparison.Ordinal);
        Assert.False(File.Exists(outPath));
    }

    [Fact]
    public async Task Empty_drives_file_is_invalid_input()
    {
        using var directory = new TempDirectory();
        var drivesPath = directory.File("drives.csv");
        File.WriteAllText(drivesPath, "\n\n");

        var (exitCode, _, error) = await Forward("--drives", drivesPath);

        Assert.Equal(ExitCodes.InvalidInput, exitCode);
        Assert.Contains("contains no rows", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_drives_file_is_invalid_input()
    {
        using var directory = new TempDirectory();

        var (exitCode, _, error) = await Forward("--drives", directory.File("absent.csv"));

        Assert.Equal(ExitCodes.InvalidInput, exitCode);
        Assert.Contains("absent.csv", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_drives_option_is_a_usage_error()
    {
        var (exitCode, _, error) = await AgentRun.InvokeAsync(null, "device", "forward", "--system", "duffing",
            "--device-id", DeviceId);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains("--drives", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Csv_writer_round_trips_every_float_exactly()
    {
        var values = new[] { 0f, -0.1f, 1f / 3f, float.Epsilon, float.MaxValue, -3.999f, 1e-7f, 123456.79f };
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        ValueCsv.Write(writer, values, 4);

        Assert.Equal(values, ValueCsv.Read(new StringReader(writer.ToString()), "memory", 4));
    }

    private static Task<(int ExitCode, string Output, string Error)> Forward(params string[] args)
        => AgentRun.InvokeAsync(
            null,
            [
                "device", "forward", "--system", "duffing", "--device-id", DeviceId,
                "--noise-seed", Seed.ToString(CultureInfo.InvariantCulture), .. args
            ]);

    private static float[] RandomDrives(IPhysicalSystem system, int count, ulong seed)
    {
        var noise = new NoiseSource(seed);
        var drives = new float[count * system.Spec.DriveLength];
        for (var i = 0; i < drives.Length; i++)
        {
            drives[i] = (float)noise.NextUniform(-1, 1);
        }

        return drives;
    }

    private static string ToCsv(float[] values, int perRow)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        ValueCsv.Write(writer, values, perRow);
        return writer.ToString();
    }
}
