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

    /// <summary>Fuzzes <paramref name="target"/> with <paramref name="inputs"/> inputs drawn from <paramref name="seed"/>.</summary>
    public static FuzzResult Run(FuzzTarget target, int inputs, int seed, Action<FuzzResult>? progress = null)
    {
        var result = new FuzzResult(target.Name);
        var current = new Current();
        var started = Stopwatch.StartNew();
        var worker = new Thread(() => Work(target, inputs, seed, result, current)) { IsBackground = true, Name = $"fuzz {target.Name}" };
        worker.Start();
        var reported = -1;
        var lastProgress = Stopwatch.GetTimestamp();
        while (!worker.Join(100))
        {
            var (index, since, input) = current.Read();
            if (since != 0 && index != reported && Stopwatch.GetElapsedTime(since) > HangLimit)
            {
                reported = index;
                result.Hang(index, HangLimit.TotalMilliseconds, input!);
            }

            if (since != 0 && Stopwatch.GetElapsedTime(since) > HangLimit * 30)
            {
                // A decoder that does not return within half a minute will not; leave its thread and report.
                result.Abandoned = true;
                break;
            }

            if (progress is not null && Stopwatch.GetElapsedTime(lastProgress) > TimeSpan.FromSeconds(30))
            {
                lastProgress = Stopwatch.GetTimestamp();
                progress(result);
            }
        }

        result.Seconds = started.Elapsed.TotalSeconds;
        return result;
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
                    result.Refuse(colon > 0 ? refusal[..colon] : "report", colon > 0 ? refusal[(colon + 1)..].Trim() : refusal, ms);
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
