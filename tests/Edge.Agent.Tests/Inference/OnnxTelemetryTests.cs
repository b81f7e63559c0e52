using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Edge.Agent.Commands;
using Edge.Agent.Tests.Models;
using Edge.Tests.Shared;

namespace Edge.Agent.Tests.Inference;

/// <summary>
/// Loading and running a model writes nothing outside the agent's store: ONNX Runtime's telemetry (a 1DS event store
/// with a device id under <c>~/.cache/Microsoft/DeveloperTools/.onnxruntime</c>) is off. Its state is process-wide, so
/// <c>edge-agent</c> runs as a child process with HOME and XDG_CACHE_HOME pointed at a fresh empty folder.
/// </summary>
public sealed class OnnxTelemetryTests(TrainedPackages packages) : IDisposable
{
    private readonly TempDirectory _folder = new();

    [Fact]
    [Trait("Category", "Security")]
    public async Task Installing_and_classifying_with_a_model_leaves_home_and_the_cache_untouched()
    {
        var home = _folder.File("home");
        Directory.CreateDirectory(home);
        var package = _folder.File("v1.edgepkg");
        var token = TestContext.Current.CancellationToken;
        await File.WriteAllBytesAsync(package, packages.Package(packages.Trained, 1), token);
        var examples = _folder.File("examples.csv");
        var row = packages.Task.Test.Row(0).ToArray().Select(v => v.ToString(CultureInfo.InvariantCulture));
        await File.WriteAllTextAsync(examples, string.Join(',', row), token);

        // Installing runs the calibration set through ONNX Runtime; classifying loads the model again and runs it.
        var (code, output, error) = await RunAgentAsync(home, "models", "install", package);
        Assert.True(code == ExitCodes.Success, $"install: {output}{error}");
        (code, output, error) = await RunAgentAsync(home, "classify", examples);
        Assert.True(code == ExitCodes.Success, $"classify: {output}{error}");
        Assert.Contains("examples.csv:1", output, StringComparison.Ordinal);

        var written = Directory.GetFileSystemEntries(home, "*", SearchOption.AllDirectories);
        Assert.True(written.Length == 0, "written under HOME: " + string.Join(", ", written));
        var stored = Directory.EnumerateFiles(_folder.File("store"), "*", SearchOption.AllDirectories);
        Assert.True(stored.Any(), "the store holds the model");
        SecurityReport.Record(
            "privacy-onnx-telemetry",
            "Egress: install and classify with a model (edge-agent child process, HOME and XDG_CACHE_HOME empty)",
            SecurityReport.TestCommand("Edge.Agent.Tests", nameof(
                Installing_and_classifying_with_a_model_leaves_home_and_the_cache_untouched)),
            "nothing written outside the store (no ONNX Runtime 1DS telemetry under ~/.cache)",
            $"{written.Length} entries written under HOME; store holds {stored.Count()} files",
            written.Length == 0 && stored.Any());
    }

    public void Dispose() => _folder.Dispose();

    private async Task<(int Code, string Output, string Error)> RunAgentAsync(string home, params string[] args)
    {
        var agent = Path.Combine(AppContext.BaseDirectory, "edge-agent.dll");
        var start = new ProcessStartInfo(DotnetHost(), [agent, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _folder.Path,
        };
        start.Environment["HOME"] = home;
        start.Environment["XDG_CACHE_HOME"] = Path.Combine(home, ".cache");
        start.Environment.Remove("ORT_DISABLE_TELEMETRY");
        start.Environment["EDGE_DEVICE__SYSTEM"] = TrainedPackages.System;
        start.Environment["EDGE_DEVICE__DEVICEID"] = TrainedPackages.DeviceId;
        start.Environment["EDGE_MODELS__STOREDIRECTORY"] = _folder.File("store");
        start.Environment["EDGE_MODELS__PUBLICKEYPATH"] = packages.PublicKeyPath;
        start.Environment["EDGE_MODELS__CALIBRATIONSETPATH"] = packages.CalibrationPath;
        start.Environment["EDGE_MODELS__TOLERANCE"] = "0.1";
        start.Environment["EDGE_LOGGING__LOGLEVEL__DEFAULT"] = "Warning";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await output, await error);
    }

    /// <summary>The <c>dotnet</c> host running this test (runtime folder:
    /// <c>{root}/shared/Microsoft.NETCore.App/{v}</c>).</summary>
    private static string DotnetHost()
    {
        var root = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var host = Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
        return File.Exists(host) ? host : "dotnet";
    }
}
