using Edge.Agent.Models;

namespace Edge.Tests.Shared.StoreFaults;

/// <summary>How the process stops in a <see cref="StoreCrashDrill"/> run.</summary>
public enum CrashKind
{
    /// <summary>kill -9: the process dies, everything it wrote stays (the kernel still holds it).</summary>
    Kill,

    /// <summary>Power loss: the process dies and only what was flushed to disk survives.</summary>
    PowerLoss,
}

/// <summary>One interrupted run of a store change and what the store booted afterwards.</summary>
/// <param name="Kind">How the process stopped.</param>
/// <param name="StepsDone">Write steps completed before the stop (the whole change when it equals the total).</param>
/// <param name="LastStep">The last step completed, or "(none)".</param>
/// <param name="ActiveBefore">Version active before the change.</param>
/// <param name="ActiveAfter">Version active after reopening.</param>
/// <param name="FloorBefore">Floor before the change.</param>
/// <param name="FloorAfter">Floor after reopening.</param>
/// <param name="Problems">What the reopened store reported (and repaired).</param>
/// <param name="Violations">Broken promises; empty when the store held.</param>
public sealed record CrashOutcome(
    CrashKind Kind,
    int StepsDone,
    string LastStep,
    int? ActiveBefore,
    int? ActiveAfter,
    int FloorBefore,
    int FloorAfter,
    IReadOnlyList<string> Problems,
    IReadOnlyList<string> Violations)
{
    /// <summary>True when every promise held.</summary>
    public bool Held => Violations.Count == 0;
}

/// <summary>
/// Stops a model-store change (an install, a rollback) after every one of its write steps, by a kill and by a power
/// loss, reopens the store each time and checks that it boots the old or the new store (active version and installed
/// versions: never a half one, never a mix) and that the model serves, that the floor never goes down, that nothing
/// temporary or unlisted is left, and that the repair was saved (a second open finds nothing to repair). Runs the
/// change to completion first to learn its steps; the last run cuts the power just after the change returned, so the
/// change must be durable by then. Deterministic: the same store and change give the same steps.
/// </summary>
public static class StoreCrashDrill
{
    /// <summary>
    /// Runs the drill on copies of <paramref name="baseStore"/> (a store folder as it is before the change) made in
    /// <paramref name="workFolder"/>. <paramref name="open"/> opens a store folder through a file system (null: the
    /// real disk); <paramref name="change"/> is the change to interrupt; <paramref name="serves"/> says why the
    /// reopened store cannot serve (e.g. a classification fails), or null when it can. <paramref name="disk"/>, when
    /// given, sets up each interrupted run's file system (e.g. a disk that loses folder flushes).
    /// </summary>
    public static async Task<IReadOnlyList<CrashOutcome>> RunAsync(
        string baseStore,
        string workFolder,
        Func<string, StoreFileSystem?, ModelStore> open,
        Func<ModelStore, Task> change,
        Func<ModelStore, Task<string?>> serves,
        Action<PowerLossFileSystem>? disk = null)
    {
        ArgumentNullException.ThrowIfNull(open);
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(serves);
        var reference = Copy(baseStore, Path.Combine(workFolder, "reference"));
        var counter = new PowerLossFileSystem(reference);
        int? activeBefore, activeAfter;
        int floorBefore, floorAfter;
        string before, after;
        using (var store = open(reference, counter))
        {
            (activeBefore, floorBefore, before) = (store.ActiveVersion, store.Floor, Describe(store));
            var opening = counter.Steps.Count;
            await change(store).ConfigureAwait(false);
            (activeAfter, floorAfter, after) = (store.ActiveVersion, store.Floor, Describe(store));
            if (opening != 0)
            {
                throw new InvalidOperationException($"The base store is not clean: opening it wrote {opening} steps.");
            }
        }

        var steps = counter.Steps;
        var outcomes = new List<CrashOutcome>();
        foreach (var kind in new[] { CrashKind.Kill, CrashKind.PowerLoss })
        {
            for (var k = 0; k <= steps.Count; k++)
            {
                var folder = Copy(baseStore, Path.Combine(workFolder, $"{kind}-{k}"));
                var files = new PowerLossFileSystem(folder);
                disk?.Invoke(files);
                var violations = new List<string>();
                using (var store = open(folder, files))
                {
                    files.CrashAfter(k);
                    try
                    {
                        await change(store).ConfigureAwait(false);
                    }
                    catch (SimulatedCrashException)
                    {
                        // The process is gone here; only the disk matters.
                    }

                    if (k < steps.Count && !files.Crashed)
                    {
                        violations.Add($"the change finished after {k} of the {steps.Count} steps it took before");
                    }
                }

                if (kind == CrashKind.PowerLoss)
                {
                    files.LosePower();
                }

                var expected = k == steps.Count ? new[] { after } : [before, after];
                outcomes.Add(await ReopenAsync(folder, open, serves, violations, expected, floorBefore, floorAfter)
                    .ConfigureAwait(false) with
                {
                    Kind = kind,
                    StepsDone = k,
                    LastStep = k == 0 ? "(none)" : steps[k - 1],
                    ActiveBefore = activeBefore,
                });
                Directory.Delete(folder, recursive: true);
            }
        }

        return outcomes;
    }

    private static async Task<CrashOutcome> ReopenAsync(
        string folder,
        Func<string, StoreFileSystem?, ModelStore> open,
        Func<ModelStore, Task<string?>> serves,
        List<string> violations,
        string[] expected,
        int floorBefore,
        int floorAfter)
    {
        int? active;
        int floor;
        IReadOnlyList<string> problems;
        using (var store = open(folder, null))
        {
            (active, floor, problems) = (store.ActiveVersion, store.Floor, store.Problems);
            if (Describe(store) is var booted && !expected.Contains(booted))
            {
                violations.Add($"booted {booted}; expected {string.Join(" or ", expected.Distinct())}");
            }

            if (active is not null && await serves(store).ConfigureAwait(false) is { } why)
            {
                violations.Add($"version {active} does not serve: {why}");
            }

            if (floor < floorBefore || floor > floorAfter)
            {
                violations.Add($"floor {floor}; expected {floorBefore}..{floorAfter}");
            }

            var listed = store.List().Select(v => v.Version).ToHashSet();
            var versions = Directory.GetFiles(Path.Combine(folder, "versions"), "*.edgepkg");
            if (versions.Length != listed.Count)
            {
                violations.Add($"{versions.Length} package files for {listed.Count} listed versions");
            }

            var leftovers = Directory.GetFiles(folder, "*.tmp", SearchOption.AllDirectories);
            if (leftovers.Length > 0)
            {
                violations.Add($"temporary files left: {string.Join(", ", leftovers.Select(Path.GetFileName))}");
            }
        }

        using (var again = open(folder, null))
        {
            if (again.Problems.Count > 0 || again.ActiveVersion != active)
            {
                violations.Add($"a second open still repairs ({string.Join(" | ", again.Problems)}) or boots "
                    + $"{Name(again.ActiveVersion)}");
            }
        }

        return new CrashOutcome(CrashKind.Kill, 0, "", null, active, floorBefore, floor, problems, violations);
    }

    private static string Name(int? version) => version is { } v ? $"v{v}" : "none";

    /// <summary>The store as the drill compares it: the active version and every installed one.</summary>
    private static string Describe(ModelStore store)
        => $"{Name(store.ActiveVersion)} active of [{string.Join(", ", store.List().Select(v => v.Version))}]";

    private static string Copy(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (var directory in Directory.GetDirectories(source, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(destination, Path.GetRelativePath(source, directory)));
        }

        foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(destination, Path.GetRelativePath(source, file)));
        }

        return destination;
    }
}
