using Edge.Hosting.Observability;
using Prometheus;

namespace Edge.Trainer.Live;

/// <summary>The trainer's Prometheus metrics, in a registry of their own (several trainers can share a test
/// process).</summary>
public sealed class TrainerMetrics
{
    /// <summary>Creates the metrics in a new registry.</summary>
    public TrainerMetrics()
    {
        Registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(Registry);
        // Process and runtime figures (resident memory, CPU, GC, threads) beside the trainer's own.
        ProcessMetrics.Register(Registry, "edge_trainer_build_info");
        Ingested = factory.CreateCounter(
            "edge_trainer_measurements_ingested_total",
            "Measurements stored (new ids), by device.",
            new CounterConfiguration { LabelNames = ["device"] });
        Duplicates = factory.CreateCounter(
            "edge_trainer_measurements_duplicate_total",
            "Redelivered measurements dropped by id, by device.",
            new CounterConfiguration { LabelNames = ["device"] });
        Rejected = factory.CreateCounter("edge_trainer_rejected_messages_total",
            "Malformed messages the ingest could not decode.");
        RemoteForwardSeconds = factory.CreateHistogram("edge_trainer_remote_forward_seconds",
            "Round trip of one PAT request to a live agent.",
                new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.0005, 2, 16) });
        RemoteRetries = factory.CreateCounter("edge_trainer_remote_retries_total",
            "PAT requests sent again after a timeout.");
        DriftResidual = factory.CreateGauge("edge_trainer_twin_drift_nmse",
            "NMSE of the twin on the newest ingested measurements (rises when the device drifts).",
                new GaugeConfiguration { LabelNames = ["device"] });
        Reconnects = factory.CreateCounter("edge_trainer_mqtt_reconnects_total",
            "Ingest connections to the broker after the first.");
        FieldUpdates = factory.CreateCounter("edge_trainer_field_updates_total",
            "Field PAT sessions run without a person, by trigger and the agent's verdict.",
                new CounterConfiguration { LabelNames = ["device", "reason", "verdict"] });
        ModelPublishedVersion = factory.CreateGauge("edge_trainer_model_published_version",
            "Model version in the newest package offered to each device.",
                new GaugeConfiguration { LabelNames = ["device"] });
        ModelAcceptedVersion = factory.CreateGauge("edge_trainer_model_accepted_version",
            "Newest model version each device accepted (validated and activated).",
                new GaugeConfiguration { LabelNames = ["device"] });
        FieldDecisions = factory.CreateCounter(
            "edge_trainer_field_decisions_total",
            "Checks of the drift watch by device, decision (start, wait) and reason (drifted, cooldown, ...).",
            new CounterConfiguration { LabelNames = ["device", "decision", "reason"] });
        FieldCooldownEnd = factory.CreateGauge(
            "edge_trainer_field_cooldown_end_seconds",
            "Unix time at which a device's cooldown after its last completed session ends (0: not in cooldown).",
            new GaugeConfiguration { LabelNames = ["device"] });
        DriftRise = factory.CreateGauge(
            "edge_trainer_twin_drift_rise",
            "Relative rise of a device's twin residual over the reference measured after its model was trained.",
            new GaugeConfiguration { LabelNames = ["device"] });
        FieldAccuracyDrop = factory.CreateGauge(
            "edge_trainer_field_accuracy_drop",
            "Fall of a device's live accuracy (agent calibration probes) below its level when its model began to run "
                + "(NaN: not published yet).",
            new GaugeConfiguration { LabelNames = ["device"] });
        FieldRefusalsInARow = factory.CreateGauge(
            "edge_trainer_field_refusals_in_a_row",
            "Field updates a device refused since its last acceptance or a new reason (each doubles the wait).",
            new GaugeConfiguration { LabelNames = ["device"] });
        FieldAccuracyReference = factory.CreateGauge(
            "edge_trainer_field_accuracy_reference",
            "Best live accuracy any version of a device settled at: the level field updates bring it back to "
                + "(NaN: none yet).",
            new GaugeConfiguration { LabelNames = ["device"] });
        FieldAccuracyShortfall = factory.CreateGauge(
            "edge_trainer_field_accuracy_shortfall",
            "Fall of a device's live accuracy below its accuracy reference (NaN: unknown).",
            new GaugeConfiguration { LabelNames = ["device"] });
        FieldRecoverySessions = factory.CreateGauge(
            "edge_trainer_field_recovery_sessions",
            "Completed field sessions since a device last ran within the drop threshold of its accuracy reference.",
            new GaugeConfiguration { LabelNames = ["device"] });
        FieldRecoveryStalled = factory.CreateGauge(
            "edge_trainer_field_recovery_stalled",
            "1 while a device is still short of its accuracy reference after the sessions that raise the alert.",
            new GaugeConfiguration { LabelNames = ["device"] });
        MeasurementAcks = factory.CreateCounter(
            "edge_trainer_measurement_acks_total",
            "Measurement batches acknowledged to their agent on measurements/ack after the store commit.");
        MeasurementAckFailures = factory.CreateCounter(
            "edge_trainer_measurement_ack_failures_total",
            "Acknowledgements the broker did not take (the agents send those batches again).");
        StoreErrors = factory.CreateCounter("edge_trainer_store_errors_total",
            "Groups of measurement batches the store failed to write (left unacknowledged for redelivery).");
        IdentityMismatches = factory.CreateCounter(
            "edge_trainer_identity_mismatches_total",
            "Status or acks refused because the deviceId in the payload is not the device of the topic, by kind.",
            new CounterConfiguration { LabelNames = ["kind"] });
    }

    /// <summary>
    /// Raises the published-version gauge of <paramref name="deviceId"/> to <paramref name="version"/>; never lowers it
    /// (a replayed or older offer must not make the published version look older).
    /// </summary>
    public void PublishedVersion(string deviceId, int version)
    {
        ModelPublishedVersion.WithLabels(deviceId).IncTo(version);
    }

    /// <summary>The registry holding these metrics.</summary>
    public CollectorRegistry Registry { get; }

    /// <summary>Measurement batches acknowledged to their agents.</summary>
    public Counter MeasurementAcks { get; }

    /// <summary>Acknowledgements that could not be published.</summary>
    public Counter MeasurementAckFailures { get; }

    /// <summary>Measurements stored.</summary>
    public Counter Ingested { get; }

    /// <summary>Duplicates dropped.</summary>
    public Counter Duplicates { get; }

    /// <summary>Malformed messages.</summary>
    public Counter Rejected { get; }

    /// <summary>PAT round trip to a live agent.</summary>
    public Histogram RemoteForwardSeconds { get; }

    /// <summary>PAT retries.</summary>
    public Counter RemoteRetries { get; }

    /// <summary>Twin residual on fresh measurements, per device.</summary>
    public Gauge DriftResidual { get; }

    /// <summary>Ingest reconnections.</summary>
    public Counter Reconnects { get; }

    /// <summary>Field updates by device, trigger (drift, schedule) and verdict (accepted, refused, failed).</summary>
    public Counter FieldUpdates { get; }

    /// <summary>Every drift-watch decision, by device, decision and reason.</summary>
    public Counter FieldDecisions { get; }

    /// <summary>End of each device's cooldown (Unix seconds; 0 when none).</summary>
    public Gauge FieldCooldownEnd { get; }

    /// <summary>Relative rise of each device's drift score over its reference.</summary>
    public Gauge DriftRise { get; }

    /// <summary>Fall of each device's live accuracy below its reference (NaN when unknown).</summary>
    public Gauge FieldAccuracyDrop { get; }

    /// <summary>Refusals in a row per device (the wait before the next try doubles with each).</summary>
    public Gauge FieldRefusalsInARow { get; }

    /// <summary>Accuracy reference per device: the best live accuracy any of its versions settled at.</summary>
    public Gauge FieldAccuracyReference { get; }

    /// <summary>Live accuracy below the accuracy reference, per device.</summary>
    public Gauge FieldAccuracyShortfall { get; }

    /// <summary>Sessions since a device last ran within the drop threshold of its reference, per device.</summary>
    public Gauge FieldRecoverySessions { get; }

    /// <summary>1 while a device is short of its reference after the sessions that raise the alert.</summary>
    public Gauge FieldRecoveryStalled { get; }

    /// <summary>Version of the newest package offered, per device.</summary>
    public Gauge ModelPublishedVersion { get; }

    /// <summary>Newest version accepted, per device.</summary>
    public Gauge ModelAcceptedVersion { get; }

    /// <summary>Failed store writes.</summary>
    public Counter StoreErrors { get; }

    /// <summary>Messages whose payload names another device than their topic (forged or misrouted), by kind.</summary>
    public Counter IdentityMismatches { get; }
}
