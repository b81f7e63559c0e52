using Edge.Trainer.Live.Updates;
using Edge.Trainer.Training;

namespace Edge.Demo;

/// <summary>Everything the demo measured, for the summary table, the report and the plots.</summary>
internal sealed class DemoResult
{
    public required DemoSettings Settings { get; init; }

    public required string BrokerDescription { get; init; }

    public required IReadOnlyList<string> ClassNames { get; init; }

    public double TwinNmse { get; set; }

    public double NoiseFloorNmse { get; set; }

    public (float[] Measured, float[] Predicted) TwinParity { get; set; } = ([], []);

    public TrainingResult? InSilico { get; set; }

    /// <summary>The reference agent's PAT run (curves and confusion).</summary>
    public TrainingResult? Pat { get; set; }

    /// <summary>Per agent: the in-silico model through its device, and its own PAT run.</summary>
    public List<AgentTraining> Training { get; } = [];

    /// <summary>Verdict of each agent on the first published version.</summary>
    public List<(string DeviceId, bool Accepted, string Reason)> Deployment { get; } = [];

    /// <summary>Per traffic round and agent: accuracy on the test set and the model version that served it.</summary>
    public List<TrafficRound> Traffic { get; } = [];

    /// <summary>Drift scores as the trainer saw them.</summary>
    public List<(string DeviceId, int Round, double Nmse, double? Baseline)> Drift { get; } = [];

    /// <summary>Per traffic round and agent: the trainer's decision and why (drifted, below-threshold, …).</summary>
    public List<(string DeviceId, int Round, string Decision)> Decisions { get; } = [];

    public string? DriftingAgent { get; set; }

    public int? DriftRound { get; set; }

    public List<FieldUpdateOutcome> Updates { get; } = [];

    public long MeasurementsIngested { get; set; }

    public Dictionary<string, double> StageSeconds { get; } = [];

    public double TotalSeconds { get; set; }
}

/// <summary>One agent classifying the test set once.</summary>
internal sealed record TrafficRound(int Round, string DeviceId, double Accuracy, int Version,
    double MeanDeviceMicroseconds, int[,] Confusion);

/// <summary>How training went for one agent's device.</summary>
internal sealed record AgentTraining(string DeviceId, double InSilicoAccuracy, TrainingResult Pat);
