using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Edge.Domain.Messaging;

namespace Edge.Benchmarks;

/// <summary>
/// What one field update looks like from outside, each event timed from the moment the drift is caused: the agent's
/// retained status (live accuracy, active version), the PAT responses of the session, the offer and the agent's
/// verdict (as the trainer's identity reads them on the broker), the trainer's log lines and the signed package on
/// disk. Every phase keeps its first time only. After v2 it follows the further sessions the trainer starts while
/// the part stays short of its accuracy reference: each version's live accuracy over its first full probe window, and
/// the verdicts, until the trainer finds the part back or warns that the sessions have not brought it back.
/// </summary>
internal sealed class FieldUpdateTimeline(string deviceId, double dropThreshold, int window)
{
    /// <summary>The phases, in the order the operator's path passes them.</summary>
    public static readonly string[] Phases =
    [
        "status_shows_loss", "detected", "session_start", "pat_done", "signed", "offered", "validated", "activated",
        "recovered",
    ];

    private readonly Lock _gate = new();
    private readonly Dictionary<string, double> _marks = [];
    private readonly Stopwatch _clock = new();
    private double? _lastPatResponse;
    private readonly SortedDictionary<int, double> _settled = [];
    private readonly List<(int Version, bool Accepted)> _verdicts = [];

    /// <summary>What the watch subscribes to.</summary>
    public string[] Filters { get; } =
    [
        EdgeTopics.For(deviceId, TopicKind.Status), EdgeTopics.For(deviceId, TopicKind.ModelOffer),
        EdgeTopics.For(deviceId, TopicKind.ModelAck), $"{EdgeTopics.Root}/_requesters/+/pat/response",
    ];

    /// <summary>The newest status.</summary>
    public StatusMessage? Status { get; private set; }

    /// <summary>Live accuracy of v1 just before the drift (a full window).</summary>
    public double? Before { get; private set; }

    /// <summary>The live accuracy the trainer acted on (its decision line).</summary>
    public double? Drifted { get; private set; }

    /// <summary>The lowest live accuracy v1 reached after the drift: what the warm-up cost once the window holds it.
    /// </summary>
    public double? Floor { get; private set; }

    /// <summary>v2's live accuracy once its window is full.</summary>
    public double? After { get; private set; }

    /// <summary>The session's own device accuracy before and after fine-tuning (the trainer's verdict line).</summary>
    public (double Before, double After)? Session { get; private set; }

    /// <summary>The agent's verdict on the offer.</summary>
    public ModelAckMessage? Verdict { get; private set; }

    /// <summary>True once the trainer's reference has settled (a check that waits below the threshold).</summary>
    public bool Settled { get; private set; }

    /// <summary>
    /// How the sessions ended: <c>recovered</c> (a check found a new version within the drop threshold of the part's
    /// reference), <c>stalled</c> (the trainer warned that its sessions have not brought the part back), null while
    /// they go on.
    /// </summary>
    public string? Outcome { get; private set; }

    /// <summary>True once the drift is caused and the trainer found the part back or gave the warning.</summary>
    public bool Ended => _clock.IsRunning && Outcome is not null;

    /// <summary>Each version after v1 with its live accuracy over its first full probe window, oldest first.</summary>
    public IReadOnlyList<(int Version, double Accuracy)> Versions
    {
        get
        {
            lock (_gate)
            {
                return [.. _settled.Select(v => (v.Key, v.Value))];
            }
        }
    }

    /// <summary>True once the trainer decided to start a session.</summary>
    public bool Detected => Seconds("detected") is not null;

    /// <summary>Seconds from the drift to <paramref name="phase"/>, null when it has not happened.</summary>
    public double? Seconds(string phase)
    {
        lock (_gate)
        {
            return _marks.TryGetValue(phase, out var seconds) ? seconds : null;
        }
    }

    /// <summary>Starts the clock: the drift is being caused now.</summary>
    public void Start()
    {
        lock (_gate)
        {
            Before = Status?.LiveAccuracy;
            _clock.Start();
        }
    }

    /// <summary>Marks the package on disk once it is there (polled).</summary>
    public void PackageWritten()
    {
        lock (_gate)
        {
            Mark("signed");
            if (_lastPatResponse is { } last)
            {
                _marks.TryAdd("pat_done", last);
            }
        }
    }

    /// <summary>Reads one message of the watch.</summary>
    public void Observe(string topic, ReadOnlySequence<byte> payload)
    {
        var kind = EdgeTopics.Parse(topic, out _);
        lock (_gate)
        {
            switch (kind)
            {
                case TopicKind.Status:
                    OnStatus(ControlJson.Parse(payload.ToArray(), MessagingJsonContext.Default.StatusMessage));
                    break;
                case TopicKind.ModelOffer:
                    Mark("offered");
                    break;
                case TopicKind.ModelAck when _clock.IsRunning:
                    Verdict ??= ControlJson.Parse(payload.ToArray(), MessagingJsonContext.Default.ModelAckMessage);
                    Mark("validated");
                    break;
                default:
                    // A PAT response (the only other subscription): the session is driving the part.
                    if (_clock.IsRunning && Seconds("detected") is not null && Seconds("signed") is null)
                    {
                        Mark("session_start");
                        _lastPatResponse = _clock.Elapsed.TotalSeconds;
                    }

                    break;
            }
        }
    }

    /// <summary>Reads one line the trainer logged.</summary>
    public void OnTrainerLine(string line)
    {
        lock (_gate)
        {
            if (line.Contains($"Field check of {deviceId}: wait (below-threshold)", StringComparison.Ordinal))
            {
                Settled = true;
            }
            else if (_clock.IsRunning
                && line.Contains($"Field check of {deviceId}: start (", StringComparison.Ordinal)
                && Seconds("detected") is null)
            {
                Mark("detected");
                Drifted = Percent(line, "live accuracy ");
            }
            else if (line.Contains($"Field update of {deviceId}: v", StringComparison.Ordinal)
                && Percent(line, "device accuracy ") is { } before && Percent(line, "-> ") is { } after)
            {
                Session ??= (before, after);
                var version = Integer(line, $"{deviceId}: v");
                _verdicts.Add((version, line.Contains(" accepted (", StringComparison.Ordinal)));
            }

            if (!_clock.IsRunning)
            {
                return;
            }

            // Back: a check on a re-trained version whose window is full finds nothing to do.
            if (line.Contains($"Field check of {deviceId}: wait (below-threshold)", StringComparison.Ordinal)
                && Integer(line, "running v") is var running and > 1 && _settled.ContainsKey(running))
            {
                Outcome ??= "recovered";
            }
            else if (line.Contains($"Field updates of {deviceId}: ", StringComparison.Ordinal)
                && line.Contains("have not brought the part back", StringComparison.Ordinal))
            {
                Outcome ??= "stalled";
            }
        }
    }

    /// <summary>The run as JSON: accuracies, the verdict and the seconds to each phase.</summary>
    public JsonObject Json()
    {
        var phases = new JsonObject();
        foreach (var phase in Phases)
        {
            phases[phase] = Seconds(phase);
        }

        return new JsonObject
        {
            ["accuracy_before"] = Before,
            ["accuracy_drifted"] = Drifted,
            ["accuracy_drifted_floor"] = Floor,
            ["accuracy_after"] = After,
            ["session_accuracy_before"] = Session?.Before,
            ["session_accuracy_after"] = Session?.After,
            ["accepted"] = Verdict?.Accepted,
            ["verdict"] = Verdict?.Reason,
            ["seconds"] = phases,
            ["outcome"] = Outcome,
            ["versions"] = new JsonArray([.. Versions.Select(v => (JsonNode)new JsonObject
            {
                ["version"] = v.Version,
                ["accuracy"] = v.Accuracy,
            })]),
            ["verdicts"] = new JsonArray([.. _verdicts.Select(v => (JsonNode)new JsonObject
            {
                ["version"] = v.Version,
                ["accepted"] = v.Accepted,
            })]),
        };
    }

    private void OnStatus(StatusMessage status)
    {
        Status = status;
        if (!_clock.IsRunning || status.LiveAccuracy is not { } live || Before is not { } before)
        {
            return;
        }

        if (status.ModelVersion == 1)
        {
            Floor = Math.Min(Floor ?? live, live);
            if (live <= before - dropThreshold)
            {
                Mark("status_shows_loss");
            }
        }

        if (status.ModelVersion is > 1)
        {
            Mark("activated");
            if (live >= before - dropThreshold)
            {
                Mark("recovered");
            }

            if (status.LiveAccuracyRounds >= window)
            {
                After ??= live;
                _settled.TryAdd(status.ModelVersion.Value, live);
            }
        }
    }

    private void Mark(string phase) => _marks.TryAdd(phase, _clock.Elapsed.TotalSeconds);

    // "… running v3, …" → 3 (0 when absent).
    private static int Integer(string line, string before)
    {
        var start = line.IndexOf(before, StringComparison.Ordinal);
        if (start < 0)
        {
            return 0;
        }

        start += before.Length;
        var end = start;
        while (end < line.Length && char.IsAsciiDigit(line[end]))
        {
            end++;
        }

        return end > start ? int.Parse(line.AsSpan(start, end - start), CultureInfo.InvariantCulture) : 0;
    }

    // "… live accuracy 61.2 % vs …" → 0.612.
    private static double? Percent(string line, string before)
    {
        var start = line.IndexOf(before, StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        start += before.Length;
        var end = line.IndexOf(" %", start, StringComparison.Ordinal);
        return end > start && double.TryParse(
            line[start..end], NumberStyles.Float, CultureInfo.InvariantCulture, out var percent)
            ? percent / 100
            : null;
    }
}
