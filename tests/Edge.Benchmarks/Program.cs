using BenchmarkDotNet.Running;

namespace Edge.Benchmarks;

/// <summary>
/// Entry point: <c>dotnet run -c Release --project tests/Edge.Benchmarks -- --filter '*'</c> for the BenchmarkDotNet
/// suites, or one of the bench commands that print a table and write JSON: <c>-- bridge [--out file.json]</c>
/// (bridge link efficiency), <c>-- inference-latency [--out file.json]</c> (agent inference overhead) and
/// <c>-- ingest [--count N] [--batch N] [--store sqlite|postgres] [--out file.json]</c> (MQTT measurement ingest) and
/// <c>-- agent-rss [--agent PATH] [--out file.json]</c> (resident memory of <c>edge-agent run</c> under load) and
/// <c>-- security [--out file.json] [--docs docs/security.md]</c> (the attack table of docs/security.md),
/// <c>-- fairness [--agent PATH] [--out file.json]</c> (inference latency while PAT requests and offers flood the
/// agent)
/// <c>-- outbox-commit [--replies N] [--out file.json]</c> (the cost of committing measurements before each reply),
/// <c>-- fuzz [--inputs N] [--seed S] [--decoder NAME] [--out file.json]</c> (hostile-input fuzzing of every
/// decoder), <c>-- faults [--repeat N] [--rows a,b] [--volume bench|short] [--out file.json]</c> (the fault bench of
/// docs/reliability.md), <c>-- soak --minutes M [--fault-every S] [--out file.json]</c> (the soak of the same
/// field with faults now and then) and <c>-- device-faults [--repeats N] [--out file.json]</c> (device faults:
/// detection, fallback, recovery) and <c>-- commission [--parts N] [--out file.json]</c> (per-part commissioning:
/// accuracy recovered on new parts and its time) and
/// <c>-- loso-agent --bench fold.json [--parts p] [--out file.json]</c> (each leave-one-speaker-out fold packaged
/// and its held-out speaker classified by a real agent) and
/// <c>-- field-update [--system S] [--warmups K,K] [--repeats N] [--out file.json]</c> (the operator's field update
/// timed end to end with real processes, and what it recovers per warm-up).
/// </summary>
public static class BenchmarkProgram
{
    /// <summary>
    /// Runs the command, then adds a <c>run</c> block (command, machine, timestamp, profile) to the JSON it wrote: the
    /// <c>--out</c> file of a bench command, or BenchmarkDotNet's full JSON exports.
    /// </summary>
    public static async Task<int> Main(string[] args)
    {
        // Described before the run so the load average is the machine's, not the bench's own.
        var run = BenchRunStamp.Describe(args);
        var started = DateTime.UtcNow;
        var exitCode = await RunAsync(args);
        BenchRunStamp.Stamp(args, started, run);
        return exitCode;
    }

    private static async Task<int> RunAsync(string[] args)
    {
        switch (args)
        {
            case ["bridge", .. var rest]:
                return await BridgeLinkBench.RunAsync(rest);
            case ["inference-latency", .. var rest]:
                InferenceLatency.Run(rest);
                return 0;
            case ["ingest", .. var rest]:
                return await IngestBench.RunAsync(rest);
            case ["agent-rss", .. var rest]:
                return await AgentRssBench.RunAsync(rest);
            case ["security", .. var rest]:
                return await SecurityBench.RunAsync(rest);
            case ["fairness", .. var rest]:
                return await FairnessBench.RunAsync(rest);
            case ["faults", .. var rest]:
                return await FaultBench.RunAsync(rest);
            case ["soak", .. var rest]:
                return await SoakBench.RunAsync(rest);
            case ["outbox-commit", .. var rest]:
                return await OutboxCommitBench.RunAsync(rest);
            case ["fuzz", .. var rest]:
                return FuzzBench.Run(rest);
            case ["commission", .. var rest]:
                return await CommissionBench.RunAsync(rest);
            case ["loso-agent", .. var rest]:
                return await LosoAgentBench.RunAsync(rest);
            case ["field-update", .. var rest]:
                return await FieldUpdateBench.RunAsync(rest);
            case ["device-faults", .. var rest]:
                return await DeviceFaultBench.RunAsync(rest);
            default:
                BenchmarkSwitcher.FromAssembly(typeof(BenchmarkProgram).Assembly).Run(args);
                return 0;
        }
    }
}
