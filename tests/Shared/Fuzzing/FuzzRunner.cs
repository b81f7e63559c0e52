using System.Diagnostics;

namespace Edge.Tests.Fuzzing;

/// <summary>
/// Runs a decoder over generated inputs on a worker thread while a watchdog watches each input's start time: an input
/// still running after the limit is a hang (recorded with its bytes); a hang that never ends abandons the rest.
/// </summary>
internal static class FuzzRunner
{
    /// <summary>How long an input may run before it counts as a hang.</summary>
    public static readonly TimeSpan HangLimit = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Fuzzes <paramref name="target"/> with <paramref name="inputs"/> inputs drawn from <paramref name="seed"/>. An
    /// input that ran past <see cref="HangLimit"/> is run again alone, up to three times: it is a hang when every run
    /// is slow
    /// (or it never returned), and a stall of a busy machine otherwise (counted apart, not a failure).
    /// </summary>
    public static FuzzResult Run(FuzzTarget target, int inputs, int seed, Action<FuzzResult>? progress = null)
    {
        var result = new FuzzResult(target.Name);
        var current = new Current();
        var slow = new List<(int Index, byte[] Input)>();
        var started = Stopwatch.StartNew();
        var worker = new Thread(() => Work(target, inputs, seed, result, current))
        {
            IsBackground = true,
            Name = $"fuzz {target.Name}",
        };
        worker.Start();
        var reported = -1;
        var lastProgress = Stopwatch.GetTimestamp();
        while (!worker.Join(100))
        {
            var (index, since, input) = current.Read();
            if (since != 0 && index != reported && Stopwatch.GetElapsedTime(since) > HangLimit)
            {
                reported = index;
                slow.Add((index, input!));
            }

            if (since != 0 && Stopwatch.GetElapsedTime(since) > HangLimit * 30)
            {
                // A decoder that does not return within half a minute will not; leave its thread and report.
                result.Hang(index, $"no answer after {HangLimit.TotalSeconds * 30:F0} s", input!);
                slow.RemoveAll(s => s.Index == index);
                result.Abandoned = true;
                break;
            }

            if (progress is not null && Stopwatch.GetElapsedTime(lastProgress) > TimeSpan.FromSeconds(30))
            {
                lastProgress = Stopwatch.GetTimestamp();
                progress(result);
            }
        }

        foreach (var (index, input) in slow)
        {
            Recheck(target, index, input, result);
        }

        result.Seconds = started.Elapsed.TotalSeconds;
        return result;
    }

    private static void Recheck(FuzzTarget target, int index, byte[] input, FuzzResult result)
    {
        var fastest = TimeSpan.MaxValue;
        for (var attempt = 0; attempt < 3 && fastest > HangLimit; attempt++)
        {
            var elapsed = TimeSpan.Zero;
            var rerun = new Thread(() =>
            {
                var start = Stopwatch.GetTimestamp();
                try
                {
                    target.Decode(input);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // Its verdict was counted in the run; only its time matters here.
                }

                elapsed = Stopwatch.GetElapsedTime(start);
            }) { IsBackground = true };
            rerun.Start();
            if (!rerun.Join(HangLimit * 30))
            {
                result.Hang(index, $"no answer after {HangLimit.TotalSeconds * 30:F0} s when run again", input);
                return;
            }

            fastest = elapsed < fastest ? elapsed : fastest;
        }

        if (fastest > HangLimit)
        {
            result.Hang(index, $"still {fastest.TotalMilliseconds:F0} ms at best of three runs", input);
        }
        else
        {
            result.Stall();
        }
    }

    private static void Work(FuzzTarget target, int inputs, int seed, FuzzResult result, Current current)
    {
        var random = new Random(seed ^ StableHash(target.Name));
        for (var i = 0; i < inputs; i++)
        {
            var input = FuzzMutator.Next(target, random);
            var start = Stopwatch.GetTimestamp();
            current.Set(i, start, input);
            try
            {
                var refusal = target.Decode(input);
                var ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                if (refusal is null)
                {
                    result.Accept(ms);
                }
                else
                {
                    var colon = refusal.IndexOf(':', StringComparison.Ordinal);
                    var (type, message) = colon > 0 ? (refusal[..colon], refusal[(colon + 1)..].Trim())
                        : ("report", refusal);
                    result.Refuse(type, message, ms);
                }
            }
            catch (Exception e) when (target.IsRefusal(e))
            {
                result.Refuse(e.GetType().Name, e.Message, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
            catch (Exception e)
            {
                result.Crash(i, e, input, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }

            current.Set(i, 0, null);
        }
    }

    /// <summary>FNV-1a of the name: the same target gets the same input stream in every process.</summary>
    private static int StableHash(string name)
    {
        var hash = 2166136261u;
        foreach (var c in name)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)hash;
    }

    /// <summary>The input the worker is running and since when (0 between inputs).</summary>
    private sealed class Current
    {
        private readonly Lock _gate = new();
        private (int Index, long Since, byte[]? Input) _value;

        public void Set(int index, long since, byte[]? input)
        {
            lock (_gate)
            {
                _value = (index, since, input);
            }
        }

        public (int Index, long Since, byte[]? Input) Read()
        {
            lock (_gate)
            {
                return _value;
            }
        }
    }
}
