using System.Diagnostics;
using System.Globalization;

namespace Edge.Tests.Shared.Faults;

/// <summary>Runs one repetition of a <see cref="FaultRow"/> in a fresh field and counts what survived.</summary>
public static class FaultRunner
{
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(40);
    // Past the agents' second resend (30 s, then 60 s later) with room to spare.
    private static readonly TimeSpan LongestDrain = TimeSpan.FromSeconds(180);

    /// <summary>
    /// Runs <paramref name="row"/> once with <paramref name="volume"/> in a folder under <paramref name="work"/>
    /// (deleted afterwards) and returns what the agents answered against what the trainer stored.
    /// </summary>
    public static async Task<FaultOutcome> RunAsync(
        FaultRow row, FaultVolume volume, int repetition, FaultExecutables executables, string work)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(volume);
        var folder = Path.Combine(work, $"{row.Name}-{repetition}");
        var phases = new PhaseClock();
        // mosquitto drops root before it reads its files: every folder on the way must let it through.
        ShippedBrokerFiles.OpenToBroker(Directory.CreateDirectory(work));
        ShippedBrokerFiles.OpenToBroker(Directory.CreateDirectory(folder));
        var scene = await FaultScene.CreateAsync(folder, executables, row.Agents, row.Persistence)
            .ConfigureAwait(false);
        FaultOutcome outcome;
        try
        {
            phases.End("field");
            await row.Prepare(scene).ConfigureAwait(false);
            phases.End("prepare");
            scene.StartTrainer();
            scene.StartAgents();
            if (row.FaultAtStart)
            {
                // The bad file takes effect as the agent starts: recovery counts from here, before any drive.
                scene.MarkFault();
            }

            await scene.WaitIngestAsync().ConfigureAwait(false);
            var (drives, interval) = row.Traffic(volume);
            scene.StartDrivers(drives, TimeSpan.FromSeconds(interval));

            // An agent that never answers fails the run here (with its last words), not as "0 lost".
            await scene.WaitAnsweringAsync().ConfigureAwait(false);
            phases.End("first-answer");

            await row.Inject(scene, volume).ConfigureAwait(false);
            phases.End("fault");
            foreach (var driver in scene.Drivers)
            {
                await driver.StopSendingAsync().ConfigureAwait(false);
            }

            foreach (var driver in scene.Drivers)
            {
                await driver.WaitRepliesAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            }

            phases.End("replies");
            outcome = await CountAsync(row.Name, repetition, scene).ConfigureAwait(false);
            phases.End("drain");
        }
        finally
        {
            await scene.DisposeAsync().ConfigureAwait(false);
            row.Cleanup(scene);
            TryDelete(folder);
        }

        phases.End("teardown");
        return outcome with { Phases = phases.Spent };
    }

    /// <summary>
    /// Waits until the store holds every drive the scene's agents answered, or until nothing new arrived for 40 s
    /// and no agent's outbox still holds an answered drive (at most 180 s), then counts.
    /// </summary>
    public static async Task<FaultOutcome> CountAsync(string row, int repetition, FaultScene scene)
    {
        ArgumentNullException.ThrowIfNull(scene);
        var answered = scene.Drivers.Select(d => d.Answered).ToList();
        var end = scene.Clock.Elapsed;
        var lastChange = end;
        var lastStored = -1;
        double? drain = null;
        List<StoredTags> stored;
        while (true)
        {
            stored = [.. scene.Agents.Select(a => StoredTags.Read(scene.StorePath, a.DeviceId))];
            var inStore = answered.Select((tags, i) => tags.Count(stored[i].Tags.Contains)).Sum();
            if (inStore == answered.Sum(a => a.Count))
            {
                drain = (scene.Clock.Elapsed - end).TotalSeconds;
                break;
            }

            if (inStore != lastStored)
            {
                (lastStored, lastChange) = (inStore, scene.Clock.Elapsed);
            }

            // Quiet is not the end while an agent still holds an answered drive: it resends unacknowledged batches
            // after 30 s, doubling per attempt, so one whose first tries found no trainer comes back after the quiet.
            if (scene.Clock.Elapsed - end > LongestDrain
                || (scene.Clock.Elapsed - lastChange > Quiet && !StillHeld(answered, stored, scene)))
            {
                break;
            }

            await Task.Delay(500).ConfigureAwait(false);
        }

        var notes = new List<string>(scene.Notes);
        var restarts = scene.Agents.Sum(a => a.UnexpectedExits);
        foreach (var agent in scene.Agents.Where(a => a.UnexpectedExits > 0))
        {
            notes.Add($"{agent.DeviceId} exited {agent.UnexpectedExits}× (codes "
                + $"{string.Join(",", agent.ExitCodes.Distinct())}): {FirstError(agent.LastWords)}");
        }

        var held = answered.Select((tags, i) => tags.Count(stored[i].Tags.Contains)).Sum();
        if (held < answered.Sum(a => a.Count) && scene.Trainer is { } trainer)
        {
            // What the trainer last said explains most losses (disconnected, store errors, no progress).
            var said = trainer.Matching("ingested").LastOrDefault() ?? "(no progress line)";
            var problems = trainer.Matching("fail").Concat(trainer.Matching("warn")).TakeLast(2);
            notes.Add($"trainer: {said.Trim()} {string.Join(" | ", problems.Select(p => p.Trim()))}".Trim());
        }

        var refused = scene.Drivers.Sum(d => d.Refused);
        if (refused > 0)
        {
            notes.Add($"{refused} requests refused");
        }

        return new FaultOutcome(
            row,
            repetition,
            answered.Sum(a => a.Count),
            held,
            answered.Select((tags, i) => Pending(tags, stored[i], scene.Agents[i])).Sum(),
            stored.Sum(s => s.Rows - s.Tags.Count),
            Recovery(scene, stored),
            drain,
            restarts,
            string.Join("; ", notes),
            [.. scene.Violations]);
    }

    private static bool StillHeld(List<HashSet<int>> answered, List<StoredTags> stored, FaultScene scene) =>
        answered.Select((tags, i) => Pending(tags, stored[i], scene.Agents[i])).Sum() > 0;

    private static int Pending(HashSet<int> answered, StoredTags stored, FaultAgent agent)
    {
        var waiting = StoredTags.Pending(agent.OutboxPath);
        return answered.Count(tag => !stored.Tags.Contains(tag) && waiting.Contains(tag));
    }

    // The slowest agent's time from the fault to the reply of its first post-fault drive that reached the store.
    private static double? Recovery(FaultScene scene, List<StoredTags> stored)
    {
        if (scene.FaultAt is not { } faultAt)
        {
            return null;
        }

        double? slowest = null;
        for (var i = 0; i < scene.Drivers.Count; i++)
        {
            var first = scene.FirstTagAfterFault.Count > i ? scene.FirstTagAfterFault[i] : 0;
            var times = scene.Drivers[i].AnsweredAt
                .Where(p => p.Key >= first && stored[i].Tags.Contains(p.Key))
                .Select(p => p.Value - faultAt)
                .ToList();
            if (times.Count == 0)
            {
                return null;
            }

            slowest = Math.Max(slowest ?? 0, Math.Max(0, times.Min()));
        }

        return slowest is { } s ? Math.Round(s, 2) : null;
    }

    private static string FirstError(string words)
    {
        var line = words.Split('\n').FirstOrDefault(l => l.Contains("fail", StringComparison.OrdinalIgnoreCase)
            || l.Contains("error", StringComparison.OrdinalIgnoreCase)) ?? words.Split('\n').LastOrDefault() ?? "";
        return line.Length > 160 ? line[..160] + "…" : line.Trim();
    }

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A mount point still busy: the bench's work folder is removed at the end anyway.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Seconds spent in each named phase of a repetition, one after the other.</summary>
    private sealed class PhaseClock
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly Dictionary<string, double> _spent = [];
        private TimeSpan _last;

        public IReadOnlyDictionary<string, double> Spent => _spent;

        public void End(string phase)
        {
            var now = _clock.Elapsed;
            _spent[phase] = Math.Round((now - _last).TotalSeconds, 2);
            _last = now;
        }
    }

    /// <summary>Formats seconds for the table ("–" when none).</summary>
    public static string Seconds(double? seconds) =>
        seconds is { } s ? s.ToString("0.0", CultureInfo.InvariantCulture) : "–";
}
