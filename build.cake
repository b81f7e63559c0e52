// Edge build script: `dotnet tool restore && dotnet cake --target=<Target>`.
// Targets: Build, Test, Bench, Demo, PublishAgent, Default (= Build + Test).
// --configuration=Release (default) and --dotnet-artifacts=<dir> (private bin/obj, passed to dotnet as --artifacts-path).
// Bench: --bench-profile=full (default; the documented configuration, regenerates docs/benchmarks.md, docs/img and the
// README's headline table) or quick (1 seed, few epochs, small counts; writes its report under artifacts/bench/quick/report
// and leaves docs/ and README.md alone).

var target = Argument("target", "Default");
var configuration = Argument("configuration", "Release");
var dotnetArtifacts = Argument<string>("dotnet-artifacts", null);
var benchProfile = Argument("bench-profile", "full");

var solution = File("./Edge.sln");
var trainerProject = File("./host-trainer/Edge.Trainer/Edge.Trainer.csproj");
var agentProject = File("./agent/Edge.Agent/Edge.Agent.csproj");
var benchmarksProject = File("./tests/Edge.Benchmarks/Edge.Benchmarks.csproj");
var demoProject = File("./demo/Edge.Demo/Edge.Demo.csproj");
var artifacts = MakeAbsolute(Directory("./artifacts"));
var agentRuntimes = new[] { "linux-arm64", "linux-x64" };
// The Debian arm64 packages the arm64 agent needs under qemu-aarch64, by a file each one installs: the C library and its
// loader, the C++ library (the .NET runtime, ONNX Runtime) and OpenSSL 3 (package signatures).
var arm64Libraries = new Dictionary<string, string>
{
    ["libc6:arm64"] = "/lib/ld-linux-aarch64.so.1",
    ["libstdc++6:arm64"] = "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
    ["libssl3:arm64"] = "/usr/lib/aarch64-linux-gnu/libssl.so.3",
};

ProcessArgumentBuilder WithArtifactsPath(ProcessArgumentBuilder args)
    => string.IsNullOrEmpty(dotnetArtifacts) ? args : args.Append("--artifacts-path").AppendQuoted(MakeAbsolute(Directory(dotnetArtifacts)).FullPath);

// `dotnet run -c <configuration> --project <project> [--artifacts-path <dir>] -- <arguments>`: the application's own
// arguments must come after `--`, which DotNetRun's ArgumentCustomization cannot guarantee.
// noBuild: the caller built the project already (the Bench target builds once, then runs many bench commands).
void RunProject(FilePath project, ProcessArgumentBuilder arguments, bool noBuild = false, IDictionary<string, string> environment = null)
{
    var args = WithArtifactsPath(new ProcessArgumentBuilder()
        .Append("run").Append("-c").Append(configuration).Append("--project").AppendQuoted(MakeAbsolute(project).FullPath));
    if (noBuild)
    {
        args.Append("--no-build");
    }

    args.Append("--");
    foreach (var argument in arguments)
    {
        args.Append(argument);
    }

    var exitCode = StartProcess("dotnet", new ProcessSettings { Arguments = args, EnvironmentVariables = environment });
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
    var profile = BenchProfiles.Get(benchProfile);
    var output = artifacts.Combine("bench").Combine(profile.Name);
    CleanDirectory(output);
    DotNetBuild(trainerProject, new DotNetBuildSettings { Configuration = configuration, ArgumentCustomization = WithArtifactsPath });
    DotNetBuild(benchmarksProject, new DotNetBuildSettings { Configuration = configuration, ArgumentCustomization = WithArtifactsPath });

    // Bench commands record the profile in the run block of their JSON (EDGE_BENCH_PROFILE), so the report labels it.
    var environment = new Dictionary<string, string> { ["EDGE_BENCH_PROFILE"] = profile.Name };
    var relative = $"artifacts/bench/{profile.Name}";
    var clock = System.Diagnostics.Stopwatch.StartNew();
    foreach (var (name, arguments) in profile.AccuracyRuns)
    {
        Information($"bench pat {name} ({profile.Name}) ...");
        var args = new ProcessArgumentBuilder().Append("bench").Append("pat");
        foreach (var argument in arguments)
        {
            args.Append(argument);
        }

        args.Append("--out").Append($"{relative}/{name}.json");
        if (!name.Contains("loso"))
        {
            args.Append("--plots").Append($"{relative}/img");
        }

        RunProject(trainerProject, args, noBuild: true, environment);
    }

    // The drift score over a grid of part changes, in simulated time: about two minutes in either profile.
    Information($"bench drift ({profile.Name}) ...");
    RunProject(
        trainerProject,
        new ProcessArgumentBuilder().Append("bench").Append("drift").Append("--out").Append($"{relative}/drift-detection.json"),
        noBuild: true,
        environment);

    // The agent's live accuracy as the watch reads it, three seeds, a simulated day each: about ten minutes.
    Information($"bench drift --score live ({profile.Name}) ...");
    RunProject(
        trainerProject,
        new ProcessArgumentBuilder().Append("bench").Append("drift").Append("--score").Append("live")
            .Append("--out").Append($"{relative}/drift-live-accuracy.json"),
        noBuild: true,
        environment);

    foreach (var (name, arguments) in profile.SystemRuns)
    {
        Information($"{name} ({profile.Name}) ...");
        var args = new ProcessArgumentBuilder();
        foreach (var argument in arguments)
        {
            args.Append(argument);
        }

        RunProject(benchmarksProject, args.Append("--out").Append($"{relative}/{name}.json"), noBuild: true, environment);
    }

    // The agent-rss bench (resident memory of `edge-agent run` under load) comes with the agent inputs work: run it
    // when this tree has it; otherwise the report reads RSS keys of the inference-latency JSON or the recorded figures.
    if (FileExists("./tests/Edge.Benchmarks/AgentRssBench.cs"))
    {
        DotNetBuild(agentProject, new DotNetBuildSettings { Configuration = configuration, ArgumentCustomization = WithArtifactsPath });
        var agentRss = new ProcessArgumentBuilder().Append("agent-rss");
        foreach (var argument in profile.AgentRssArguments)
        {
            agentRss.Append(argument);
        }

        RunProject(benchmarksProject, agentRss.Append("--out").Append($"{relative}/agent-rss.json"), noBuild: true, environment);
    }
    else
    {
        Information("agent-rss: this tree has no agent-rss bench command; the report shows the recorded RSS figures.");
    }

    // In-process: on the shared 2-core machine BenchmarkDotNet's generated projects miss its 2-minute build timeout.
    var benchmarkDotNet = new ProcessArgumentBuilder().Append("--filter").Append("*").Append("--inProcess");
    foreach (var argument in profile.BenchmarkDotNetJob)
    {
        benchmarkDotNet.Append(argument);
    }

    RunProject(benchmarksProject, benchmarkDotNet.Append("--exporters").Append("json").Append("--artifacts").Append($"{relative}/benchmarkdotnet"), noBuild: true, environment);
    Information($"bench commands ({profile.Name}): {clock.Elapsed.TotalMinutes:F1} min");

    if (profile.Name == "full")
    {
        // The committed report is generated from committed data: the full run's JSON replaces docs/bench-data.
        var data = Directory("./docs/bench-data");
        CleanDirectory(data);
        CopyFiles(GetFiles($"{relative}/*.json"), data);
        EnsureDirectoryExists(data + Directory("benchmarkdotnet"));
        CopyFiles(GetFiles($"{relative}/benchmarkdotnet/results/*-report-full*.json"), data + Directory("benchmarkdotnet"));
        Report("docs/bench-data", "docs/benchmarks.md", "docs/img", $"{relative}/img", "README.md");
    }
    else
    {
        // A quick report is a test of the chain: it goes beside its data, with a copy of the README to update.
        var report = $"{relative}/report";
        EnsureDirectoryExists(report);
        CopyFile("./README.md", $"{report}/README.md");
        Report(relative, $"{report}/benchmarks.md", $"{report}/img", $"{relative}/img", $"{report}/README.md");
    }

    Information($"Bench ({profile.Name}) done in {clock.Elapsed.TotalMinutes:F1} min.");
});

void Report(string data, string report, string images, string plots, string readme)
{
    EnsureDirectoryExists(plots);
    RunProject(trainerProject, new ProcessArgumentBuilder().Append("report").Append("--data").Append(data).Append("--out").Append(report)
        .Append("--notes").Append("docs/benchmarks-notes.md").Append("--img").Append(images).Append("--plots").Append(plots).Append("--readme").Append(readme), noBuild: true);
}

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

    foreach (var runtime in agentRuntimes)
    {
        // ONNX Runtime's package adds its Windows DLLs by PlatformTarget; the agent's project drops them (Linux only).
        var windowsDlls = GetFiles(artifacts.Combine("agent").Combine(runtime).FullPath + "/onnxruntime*.dll");
        if (windowsDlls.Count > 0)
        {
            throw new CakeException($"{runtime} publish ships Windows ONNX Runtime files: {string.Join(", ", windowsDlls)}");
        }
    }

    foreach (var runtime in agentRuntimes)
    {
        CheckInstallFiles(artifacts.Combine("agent").Combine(runtime));
    }

    var arm64 = artifacts.Combine("agent/linux-arm64").CombineWithFilePath("edge-agent");
    CheckArm64Executable(arm64);
    SmokeTestAgent(artifacts.Combine("agent/linux-x64").CombineWithFilePath("edge-agent"));
    SmokeTestArm64UnderEmulation(arm64);
});

Task("Default")
    .IsDependentOn("Build")
    .IsDependentOn("Test");

// The files the agent README's Pi install copies out of the publish folder: the unit and its device drop-ins.
void CheckInstallFiles(DirectoryPath folder)
{
    var missing = new[] { "edge-agent.service", "edge-agent.service.d/direct.conf", "edge-agent.service.d/bridge.conf" }
        .Where(file => !FileExists(folder.CombineWithFilePath(file))).ToList();
    if (missing.Count > 0)
    {
        throw new CakeException($"{folder} lacks what the Pi install copies: {string.Join(", ", missing)}");
    }
}

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

// Where qemu-user and Debian's arm64 libraries are installed, run the arm64 folder too; otherwise say that it was not
// run. The agent runs on one arm64 userland, Debian's multiarch packages (`-L /`: the guest's loader is
// /lib/ld-linux-aarch64.so.1 and finds its libraries through /etc/ld.so.cache), never on the cross toolchain's sysroot
// (/usr/aarch64-linux-gnu): once libssl3:arm64 is installed, that sysroot's loader (glibc 2.36-8) loads the multiarch
// libc.so.6 (2.36-9+deb12u…) through the cache, and the mismatched pair spins for ever in pthread_create, the runtime's
// first thread; every .NET program hangs at start (docs/arm64-emulation.md).
void SmokeTestArm64UnderEmulation(FilePath executable)
{
    var qemu = new FilePath("/usr/bin/qemu-aarch64");
    var missing = arm64Libraries.Where(library => !FileExists(library.Value)).Select(library => library.Key).ToList();
    if (!FileExists(qemu))
    {
        missing.Insert(0, "qemu-user");
    }

    if (missing.Count > 0)
    {
        Information("linux-arm64 not run under qemu: install " + string.Join(" ", missing)
            + " (dpkg --add-architecture arm64 && apt-get update first).");
        return;
    }

    var exitCode = StartProcess("timeout", new ProcessSettings
    {
        Arguments = new ProcessArgumentBuilder().Append(QemuTimeout).AppendQuoted(qemu.FullPath).Append("-L").Append("/")
            .AppendQuoted(executable.FullPath)
            .Append("device").Append("info").Append("--system").Append("duffing").Append("--device-id").Append("publish-check"),
        RedirectStandardOutput = true,
    }, out var redirected);
    var output = string.Join("\n", redirected.ToList());
    ThrowIfQemuTimedOut(exitCode, executable, "device info");
    if (exitCode != 0 || !output.Contains("\"deviceId\": \"publish-check\""))
    {
        throw new CakeException($"{executable} device info under qemu-aarch64 failed (exit code {exitCode}):\n{output}");
    }

    Information($"{executable} device info under qemu-aarch64: OK.");
    SmokeTestArm64ModelStore(qemu, executable);
}

// The verbs that open the model store need OpenSSL (package signatures) and run ONNX Runtime: install a quick vowel
// package and classify a few examples, then a quick spoken-digit package (its audio front end) and classify a WAV of
// the shared FSDD data, all under qemu. Needs root for a private mount namespace, where an ARM /proc/cpuinfo replaces
// the host's: ONNX Runtime's CPU detection crashes (SIGSEGV) on the x86 one.
void SmokeTestArm64ModelStore(FilePath qemu, FilePath executable)
{
    if (!IsRunningAsRoot())
    {
        Information("linux-arm64 install and classify not run: needs root (unshare -m for an ARM /proc/cpuinfo).");
        return;
    }

    var work = artifacts.Combine("agent/arm64-smoke");
    CleanDirectory(work);
    var key = work.CombineWithFilePath("keys/trainer");
    RunProject(trainerProject, new ProcessArgumentBuilder().Append("keygen").Append("--out").AppendQuoted(key.FullPath));
    var cpuinfo = work.CombineWithFilePath("cpuinfo");
    System.IO.File.WriteAllText(cpuinfo.FullPath, string.Concat(Enumerable.Range(0, 4).Select(i =>
        $"processor\t: {i}\nFeatures\t: fp asimd evtstrm crc32 cpuid\nCPU implementer\t: 0x41\n"
        + "CPU architecture: 8\nCPU variant\t: 0x0\nCPU part\t: 0xd08\nCPU revision\t: 3\n\n")));

    // Vowels: a few feature rows of the calibration set.
    var vowels = QuickPackage(work, key, "vowels", "--epochs", "3");
    var examples = work.CombineWithFilePath("examples.csv");
    System.IO.File.WriteAllLines(examples.FullPath, System.IO.File.ReadLines(vowels.Calibration.FullPath).Skip(1).Take(5)
        .Select(line => line.Substring(line.IndexOf(',') + 1)));
    InstallAndClassifyUnderQemu(qemu, cpuinfo, executable, work, key, vowels, examples);

    // Spoken digits: the package's audio front end turns a recording into features on the Pi.
    var wav = MakeAbsolute(File(System.IO.Path.Combine(
        EnvironmentVariable("EDGE_DATA_DIR") ?? "../shared/data", "fsdd/recordings/3_jackson_0.wav")));
    if (!FileExists(wav))
    {
        throw new CakeException($"{wav} not found: the WAV check reads the shared FSDD data (EDGE_DATA_DIR).");
    }

    var digits = QuickPackage(work, key, "fsdd", "--epochs", "2", "--twin-samples", "3000", "--twin-epochs", "10");
    InstallAndClassifyUnderQemu(qemu, cpuinfo, executable, work, key, digits, wav);
}

(FilePath Package, FilePath Calibration) QuickPackage(DirectoryPath work, FilePath key, string task, params string[] options)
{
    var calibration = work.CombineWithFilePath($"{task}-calibration.csv");
    var package = work.CombineWithFilePath($"{task}-v1.edgepkg");
    var arguments = new ProcessArgumentBuilder().Append("package").Append("--task").Append(task).Append("--key")
        .AppendQuoted(key.FullPath + ".pem").Append("--target-device").Append("sim-0001").Append("--version").Append("1")
        .Append("--calibration").AppendQuoted(calibration.FullPath).Append("--out").AppendQuoted(package.FullPath);
    foreach (var option in options)
    {
        arguments.Append(option);
    }

    RunProject(trainerProject, arguments);
    return (package, calibration);
}

// One store per package: a store holds the packages of one calibration set.
void InstallAndClassifyUnderQemu(FilePath qemu, FilePath cpuinfo, FilePath executable, DirectoryPath work, FilePath key,
    (FilePath Package, FilePath Calibration) package, FilePath input)
{
    var environment = new Dictionary<string, string>
    {
        ["EDGE_MODELS__STOREDIRECTORY"] = work.Combine("store-" + package.Package.GetFilenameWithoutExtension()).FullPath,
        ["EDGE_MODELS__PUBLICKEYPATH"] = key.FullPath + ".pub.pem",
        ["EDGE_MODELS__CALIBRATIONSETPATH"] = package.Calibration.FullPath,
        // One pass over the calibration set in the install's gate, not three: the same code at a third of the
        // emulated work (the digits' 250 examples: 32 s of CPU in one pass on 2026-12-07).
        ["EDGE_MODELS__CALIBRATIONPASSES"] = "1",
    };
    foreach (var verb in new[] { $"models install '{package.Package.FullPath}'", $"classify '{input.FullPath}'" })
    {
        var script = $"mount --bind '{cpuinfo.FullPath}' /proc/cpuinfo && exec timeout {QemuTimeout} '{qemu.FullPath}' -L / "
            + $"'{executable.FullPath}' {verb}";
        var exitCode = StartProcess("unshare", new ProcessSettings
        {
            Arguments = new ProcessArgumentBuilder().Append("-m").Append("sh").Append("-c").AppendQuoted(script),
            EnvironmentVariables = environment,
            RedirectStandardOutput = true,
        }, out var redirected);
        var output = string.Join("\n", redirected.ToList());
        ThrowIfQemuTimedOut(exitCode, executable, verb);
        if (exitCode != 0)
        {
            throw new CakeException($"{executable} {verb} under qemu-aarch64 failed (exit code {exitCode}):\n{output}");
        }

        Information($"{executable} {verb} under qemu-aarch64: OK.\n{output}");
    }
}

// Each agent start under qemu-aarch64 gets 20 minutes, a safety net: a runtime that cannot start under emulation, such
// as the mismatched C library above, would otherwise stall the task for ever. The longest step, the digits' install,
// takes 32 s of CPU, but took 5 minutes on a machine at load average 100 and over 10 at 400 (2026-12-07).
const string QemuTimeout = "1200";

void ThrowIfQemuTimedOut(int exitCode, FilePath executable, string verb)
{
    if (exitCode == 124)
    {
        throw new CakeException($"{executable} {verb} did not finish within {QemuTimeout} s under qemu-aarch64 "
            + "(is the arm64 C library one package, libc6:arm64? see docs/arm64-emulation.md).");
    }
}

bool IsRunningAsRoot() => System.Environment.UserName == "root";

// What each bench profile runs. full is the configuration documented in docs/benchmarks-notes.md; quick checks the
// chain end to end in minutes (1 seed, few epochs, a small twin, small counts) and its figures are labelled quick.
static class BenchProfiles
{
    public static BenchProfile Get(string name) => name switch
    {
        "full" => Full(),
        "quick" => Quick(),
        _ => throw new ArgumentException($"Unknown --bench-profile '{name}'. Valid profiles: quick, full."),
    };

    // Every configuration docs/benchmarks-notes.md documents, under the name its JSON has in docs/bench-data (a
    // full run replaces that folder). Where a task has a standard and a tuned network, both are kept: the tuned one
    // meets the target, the standard one shows what the tuning bought.
    private static BenchProfile Full()
    {
        var runs = new List<(string, string[])>();
        foreach (var system in new[] { "duffing", "electronic", "mechanical" })
        {
            runs.Add(($"vowels-{system}", Pat("vowels", system, VowelModes(system), seeds: 3)));
        }

        string[] speakerWide = ["--features", "speaker", "--architecture", "wide"];
        runs.Add(("fsdd-electronic", Pat("fsdd", "electronic", "insilico,pat,ideal,digital", seeds: 3, "--epochs", "30", "--threads", "2")));
        runs.Add(("fsdd-electronic-wide", Pat("fsdd", "electronic", "pat,insilico,ideal,digital", seeds: 1, [.. speakerWide, "--width", "4", "--epochs", "15", "--twin-epochs", "30", "--threads", "2"])));
        runs.Add(("fsdd-mechanical", Pat("fsdd", "mechanical", "pat", seeds: 1, "--epochs", "30")));
        string[] plateBank = [.. speakerWide, "--width", "16", "--layers", "1", "--schedule", "cosine", "--twin", "graybox", "--epochs", "20", "--threads", "2"];
        runs.Add(("fsdd-mechanical-wide", Pat("fsdd", "mechanical", "pat,insilico,ideal,digital", seeds: 1, plateBank)));
        runs.Add(("fsdd-mechanical-wide-2-seeds", Pat("fsdd", "mechanical", "pat", seeds: 2, plateBank)));
        runs.Add(("fsdd-waveform-mechanical", Pat("fsdd-waveform", "mechanical", "pat", seeds: 1, "--epochs", "15", "--twin-epochs", "30", "--threads", "2")));
        runs.Add(("fsdd-loso", Pat("fsdd", "electronic", "pat,digital", seeds: 1, "--split", "loso", "--epochs", "10", "--twin-epochs", "30", "--threads", "2")));
        runs.Add(("fsdd-loso-wide", Pat("fsdd", "electronic", "pat,digital", seeds: 1, ["--split", "loso", .. speakerWide, "--augment", "speed", "--width", "16", "--layers", "1", "--schedule", "cosine", "--epochs", "10", "--twin-samples", "10000", "--twin-epochs", "20", "--threads", "2"])));
        // Needs espeak-ng (apt-get install espeak-ng) for the synthetic voices.
        runs.Add(("fsdd-loso-voices", Pat("fsdd", "electronic", "pat,insilico,ideal,digital", seeds: 3, ["--split", "loso", .. speakerWide, "--cepstra", "8", "--augment", "voices", "--input-noise", "1", "--width", "16", "--layers", "1", "--schedule", "cosine", "--epochs", "10", "--twin-samples", "10000", "--twin-epochs", "20", "--threads", "2"])));
        string[] electronicScans = ["--twin", "graybox", "--scans", "4", "--layers", "1", "--schedule", "cosine", "--epochs", "15", "--threads", "2"];
        runs.Add(("mnist-electronic", Pat("mnist", "electronic", "insilico,pat,ideal,digital", seeds: 1, electronicScans)));
        runs.Add(("mnist-electronic-2-seeds", Pat("mnist", "electronic", "pat", seeds: 2, electronicScans)));
        runs.Add(("mnist-electronic-8-epochs", Pat("mnist", "electronic", "pat,digital", seeds: 1, "--architecture", "standard", "--epochs", "8", "--twin-epochs", "30", "--threads", "2")));
        runs.Add(("mnist-mechanical", Pat("mnist", "mechanical", "pat,insilico,ideal,digital", seeds: 1, "--twin", "graybox", "--scans", "4", "--layers", "1", "--schedule", "cosine", "--epochs", "15", "--threads", "2")));
        string[] opticalHybrid = ["--architecture", "wide", "--width", "16", "--layers", "1", "--schedule", "cosine", "--twin", "graybox", "--augment", "shift", "--epochs", "25", "--threads", "2"];
        runs.Add(("mnist-optical", Pat("mnist", "optical", "pat,insilico,ideal,digital", seeds: 1, opticalHybrid)));
        runs.Add(("mnist-optical-2-seeds", Pat("mnist", "optical", "pat", seeds: 2, opticalHybrid)));
        return new BenchProfile("full", runs, SystemRuns(latencyCount: "200000", ingestCount: "100000", ingestBatch: "1000"), [], ["--job", "short"]);
    }

    // Every training mode side by side on the electronic part (issue 17); the other parts keep the twin-based modes.
    private static string VowelModes(string system) => system == "electronic"
        ? "insilico,pat,ideal,pat-refine,dfa,local,zo,digital"
        : "insilico,pat,ideal,pat-refine";

    private static BenchProfile Quick()
    {
        string[] small = ["--twin-samples", "2000", "--twin-epochs", "5"];
        var runs = new List<(string, string[])>();
        foreach (var system in new[] { "duffing", "electronic", "mechanical" })
        {
            runs.Add(($"vowels-{system}", Pat("vowels", system, VowelModes(system), seeds: 1, ["--epochs", "5", .. small])));
        }

        runs.Add(("fsdd-electronic", Pat("fsdd", "electronic", "insilico,pat,ideal,digital", seeds: 1, ["--epochs", "2", .. small])));
        runs.Add(("fsdd-mechanical", Pat("fsdd", "mechanical", "insilico,pat,ideal", seeds: 1, ["--epochs", "1", .. small])));
        runs.Add(("fsdd-loso", Pat("fsdd", "electronic", "pat,digital", seeds: 1, ["--split", "loso", "--epochs", "1", "--twin-samples", "1000", "--twin-epochs", "3"])));
        runs.Add(("fsdd-loso-voices", Pat("fsdd", "electronic", "pat,digital", seeds: 1, ["--split", "loso", "--features", "speaker", "--cepstra", "8", "--augment", "voices", "--input-noise", "1", "--architecture", "wide", "--width", "4", "--epochs", "1", "--twin-samples", "1000", "--twin-epochs", "3"])));
        foreach (var system in new[] { "electronic", "mechanical", "optical" })
        {
            runs.Add(($"mnist-{system}", Pat("mnist", system, "insilico,pat,ideal,digital", seeds: 1, ["--epochs", "1", .. small])));
        }

        return new BenchProfile("quick", runs, SystemRuns(latencyCount: "20000", ingestCount: "5000", ingestBatch: "500"), ["--warmup", "2", "--seconds", "5"], ["--job", "dry"]);
    }

    private static string[] Pat(string task, string system, string modes, int seeds, params string[] more)
        => ["--task", task, "--system", system, "--modes", modes, "--seeds", seeds.ToString(System.Globalization.CultureInfo.InvariantCulture), .. more];

    private static List<(string, string[])> SystemRuns(string latencyCount, string ingestCount, string ingestBatch) =>
    [
        ("inference-latency", ["inference-latency", "--count", latencyCount]),
        ("mqtt-ingest-sqlite", ["ingest", "--count", ingestCount, "--batch", ingestBatch, "--store", "sqlite"]),
        ("mqtt-ingest-postgres", ["ingest", "--count", ingestCount, "--batch", ingestBatch, "--store", "postgres"]),
        ("bridge-link", ["bridge"]),
    ];
}

// AccuracyRuns: result name → bench pat arguments; SystemRuns: result name → Edge.Benchmarks command;
// AgentRssArguments: options of the agent-rss command; BenchmarkDotNetJob: job arguments.
record BenchProfile(string Name, List<(string Name, string[] Arguments)> AccuracyRuns, List<(string Name, string[] Arguments)> SystemRuns, string[] AgentRssArguments, string[] BenchmarkDotNetJob);

RunTarget(target);
