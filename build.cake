// Edge build script: `dotnet tool restore && dotnet cake --target=<Target>`.
// Targets: Build, Test, Bench, Demo, PublishAgent, Default (= Build + Test).
// --configuration=Release (default) and --dotnet-artifacts=<dir> (private bin/obj, passed to dotnet as --artifacts-path).

var target = Argument("target", "Default");
var configuration = Argument("configuration", "Release");
var dotnetArtifacts = Argument<string>("dotnet-artifacts", null);

var solution = File("./Edge.sln");
var trainerProject = File("./host-trainer/Edge.Trainer/Edge.Trainer.csproj");
var agentProject = File("./agent/Edge.Agent/Edge.Agent.csproj");
var benchmarksProject = File("./tests/Edge.Benchmarks/Edge.Benchmarks.csproj");
var artifacts = MakeAbsolute(Directory("./artifacts"));
var benchSystems = new[] { "duffing", "electronic" };
var agentRuntimes = new[] { "linux-arm64", "linux-x64" };

ProcessArgumentBuilder WithArtifactsPath(ProcessArgumentBuilder args)
    => string.IsNullOrEmpty(dotnetArtifacts) ? args : args.Append("--artifacts-path").AppendQuoted(MakeAbsolute(Directory(dotnetArtifacts)).FullPath);

void RunTrainer(string arguments)
{
    DotNetRun(trainerProject, new ProcessArgumentBuilder().Append(arguments), new DotNetRunSettings
    {
        Configuration = configuration,
        ArgumentCustomization = WithArtifactsPath,
    });
}

Task("Build")
    .Does(() =>
{
    DotNetBuild(solution, new DotNetBuildSettings
    {
        Configuration = configuration,
        ArgumentCustomization = WithArtifactsPath,
    });
});

Task("Test")
    .IsDependentOn("Build")
    .Does(() =>
{
    DotNetTest(solution, new DotNetTestSettings
    {
        Configuration = configuration,
        NoBuild = true,
        ArgumentCustomization = WithArtifactsPath,
    });
});

Task("Bench")
    .Does(() =>
{
    EnsureDirectoryExists(artifacts.Combine("bench"));
    foreach (var system in benchSystems)
    {
        var output = artifacts.Combine("bench").CombineWithFilePath($"vowels-{system}.json");
        RunTrainer($"bench pat --task vowels --system {system} --modes insilico,pat,ideal,pat-refine --seeds 3 --out \"{output.FullPath}\"");
    }

    DotNetRun(benchmarksProject, new ProcessArgumentBuilder()
        .Append("--filter").AppendQuoted("*")
        .Append("--exporters").Append("json").Append("markdown")
        .Append("--artifacts").AppendQuoted(artifacts.Combine("benchmarks").FullPath), new DotNetRunSettings
    {
        Configuration = configuration,
        ArgumentCustomization = WithArtifactsPath,
    });
});

Task("Demo")
    .Does(() =>
{
    RunTrainer($"demo --out \"{artifacts.Combine("demo").FullPath}\"");
});

Task("PublishAgent")
    .Does(() =>
{
    foreach (var runtime in agentRuntimes)
    {
        var output = artifacts.Combine("agent").Combine(runtime);
        CleanDirectory(output);
        DotNetPublish(agentProject, new DotNetPublishSettings
        {
            Configuration = configuration,
            Runtime = runtime,
            SelfContained = true,
            OutputDirectory = output,
            ArgumentCustomization = WithArtifactsPath,
        });
    }

    CheckArm64Executable(artifacts.Combine("agent/linux-arm64").CombineWithFilePath("edge-agent"));
    SmokeTestAgent(artifacts.Combine("agent/linux-x64").CombineWithFilePath("edge-agent"));
});

Task("Default")
    .IsDependentOn("Build")
    .IsDependentOn("Test");

// The arm64 folder cannot run here: check that its launcher really is an AArch64 ELF (e_machine 0xB7).
void CheckArm64Executable(FilePath executable)
{
    var header = new byte[20];
    using (var stream = System.IO.File.OpenRead(executable.FullPath))
    {
        if (stream.Read(header, 0, header.Length) != header.Length)
        {
            throw new CakeException($"{executable} is too short to be an executable.");
        }
    }

    var isElf = header[0] == 0x7F && header[1] == (byte)'E' && header[2] == (byte)'L' && header[3] == (byte)'F';
    var machine = header[18] | (header[19] << 8);
    if (!isElf || machine != 0xB7)
    {
        throw new CakeException($"{executable} is not a linux-arm64 (AArch64 ELF) executable: e_machine 0x{machine:X}.");
    }

    Information($"{executable}: AArch64 ELF executable.");
}

// The x64 folder must run as shipped: `device info` on a simulated part prints its spec JSON.
void SmokeTestAgent(FilePath executable)
{
    var exitCode = StartProcess(executable, new ProcessSettings
    {
        Arguments = new ProcessArgumentBuilder().Append("device").Append("info").Append("--system").Append("duffing").Append("--device-id").Append("publish-check"),
        RedirectStandardOutput = true,
    }, out var redirected);
    var lines = redirected.ToList();
    var output = string.Join("\n", lines);
    if (exitCode != 0 || !output.Contains("\"deviceId\": \"publish-check\"") || !output.Contains("\"driveLayout\""))
    {
        throw new CakeException($"{executable} device info failed (exit code {exitCode}):\n{output}");
    }

    Information($"{executable} device info: OK ({lines.Count} lines of spec JSON).");
}

RunTarget(target);
