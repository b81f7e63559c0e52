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
/// disk. Every phase keeps its first time only.
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

    /// <summary>True once the drift is caused and the run has ended: v2's window full, or the offer refused.</summary>
    public bool Ended => _clock.IsRunning && (After is not null || Verdict is { Accepted: false });

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
                    Verdict = ControlJson.Parse(payload.ToArray(), MessagingJsonContext.Default.ModelAckMessage);
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
                Session = (before, after);
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
            }
        }
    }

    private void Mark(string phase) => _marks.TryAdd(phase, _clock.Elapsed.TotalSeconds);

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
