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
var demoProject = File("./demo/Edge.Demo/Edge.Demo.csproj");
var artifacts = MakeAbsolute(Directory("./artifacts"));
var benchSystems = new[] { "duffing", "electronic" };
var agentRuntimes = new[] { "linux-arm64", "linux-x64" };

ProcessArgumentBuilder WithArtifactsPath(ProcessArgumentBuilder args)
    => string.IsNullOrEmpty(dotnetArtifacts) ? args : args.Append("--artifacts-path").AppendQuoted(MakeAbsolute(Directory(dotnetArtifacts)).FullPath);

// `dotnet run -c <configuration> --project <project> [--artifacts-path <dir>] -- <arguments>`: the application's own
// arguments must come after `--`, which DotNetRun's ArgumentCustomization cannot guarantee.
void RunProject(FilePath project, ProcessArgumentBuilder arguments)
{
    var args = WithArtifactsPath(new ProcessArgumentBuilder()
        .Append("run").Append("-c").Append(configuration).Append("--project").AppendQuoted(MakeAbsolute(project).FullPath))
        .Append("--");
    foreach (var argument in arguments)
    {
        args.Append(argument);
    }

    var exitCode = StartProcess("dotnet", new ProcessSettings { Arguments = args });
    if (exitCode != 0)
    {
        throw new CakeException($"dotnet {args.RenderSafe()} failed with exit code {exitCode}.");
    }
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
        RunProject(trainerProject, new ProcessArgumentBuilder()
            .Append("bench").Append("pat").Append("--task").Append("vowels").Append("--system").Append(system)
            .Append("--modes").Append("insilico,pat,ideal,pat-refine").Append("--seeds").Append("3")
            .Append("--out").AppendQuoted(output.FullPath));
    }

    RunProject(benchmarksProject, new ProcessArgumentBuilder()
        .Append("--filter").AppendQuoted("*")
        .Append("--exporters").Append("json").Append("markdown")
        .Append("--artifacts").AppendQuoted(artifacts.Combine("benchmarks").FullPath));
});

Task("Demo")
    .Does(() =>
{
    RunProject(demoProject, new ProcessArgumentBuilder().Append("--out").AppendQuoted(artifacts.Combine("demo").FullPath));
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

    var arm64 = artifacts.Combine("agent/linux-arm64").CombineWithFilePath("edge-agent");
    CheckArm64Executable(arm64);
    SmokeTestAgent(artifacts.Combine("agent/linux-x64").CombineWithFilePath("edge-agent"));
    SmokeTestArm64UnderEmulation(arm64);
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

// Where qemu-user and the arm64 C libraries are installed (Debian: qemu-user libc6-arm64-cross
// libstdc++6-arm64-cross), run the arm64 folder too; otherwise say that it was not run.
void SmokeTestArm64UnderEmulation(FilePath executable)
{
    var qemu = new FilePath("/usr/bin/qemu-aarch64");
    var sysroot = new DirectoryPath("/usr/aarch64-linux-gnu");
    if (!FileExists(qemu) || !FileExists(sysroot.CombineWithFilePath("lib/libstdc++.so.6")))
    {
        Information("linux-arm64 not run: qemu-user and the arm64 C/C++ libraries are not installed.");
        return;
    }

    var exitCode = StartProcess(qemu, new ProcessSettings
    {
        Arguments = new ProcessArgumentBuilder().Append("-L").AppendQuoted(sysroot.FullPath).AppendQuoted(executable.FullPath)
            .Append("device").Append("info").Append("--system").Append("duffing").Append("--device-id").Append("publish-check"),
        RedirectStandardOutput = true,
    }, out var redirected);
    var output = string.Join("\n", redirected.ToList());
    if (exitCode != 0 || !output.Contains("\"deviceId\": \"publish-check\""))
    {
        throw new CakeException($"{executable} device info under qemu-aarch64 failed (exit code {exitCode}):\n{output}");
    }

    Information($"{executable} device info under qemu-aarch64: OK.");
}

RunTarget(target);
