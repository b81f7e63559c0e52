using Edge.Hosting.Observability;
using Prometheus;

namespace Edge.Agent.Messaging;

/// <summary>
/// The agent's Prometheus metrics, in a registry of their own so several agents can live in one process (tests)
/// without sharing counters. <see cref="MqttAgentService"/> serves them when <c>Edge:Metrics:Port</c> is set.
/// </summary>
public sealed class AgentMetrics
{
    /// <summary>Creates the metrics in a new registry.</summary>
    public AgentMetrics()
    {
        Registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(Registry);

        // Process and runtime figures (resident memory — the Pi's headline — CPU, GC, threads) and the build.
        ProcessMetrics.Register(Registry, "edge_agent_build_info");
        PatRequests = factory.CreateCounter("edge_agent_pat_requests_total",
            "PAT requests served with a device forward pass.");
        PatDrives = factory.CreateCounter("edge_agent_pat_drives_total", "Drives played for PAT requests.");
        DeviceSeconds = factory.CreateHistogram("edge_agent_device_seconds",
            "Time the device took for one PAT request's forward pass.",
                new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.0005, 2, 16) });
        Rejected = factory.CreateCounter("edge_agent_rejected_messages_total",
            "Incoming messages rejected and answered on the errors topic.",
                new CounterConfiguration { LabelNames = ["kind"] });
        OutboxMessages = factory.CreateGauge("edge_agent_outbox_messages",
            "Messages waiting in the store-and-forward outbox.");
        OutboxBytes = factory.CreateGauge("edge_agent_outbox_bytes",
            "Payload bytes waiting in the store-and-forward outbox.");
        OutboxDropped = factory.CreateCounter(
            "edge_agent_outbox_shed_measurement_batches_total", "Measurement batches shed by the outbox bound.");
        OutboxAwaitingAck = factory.CreateGauge(
            "edge_agent_outbox_awaiting_ack_batches",
            "Measurement batches sent and not yet acknowledged by the trainer.");
        OutboxStorageErrors = factory.CreateCounter(
            "edge_agent_outbox_storage_errors_total",
            "Outbox database operations that failed (disk full, I/O errors).");
        OutboxDegraded = factory.CreateGauge(
            "edge_agent_outbox_degraded", "1 while the outbox cannot write (control messages wait in memory).");
        OutboxControlDropped = factory.CreateCounter(
            "edge_agent_outbox_dropped_control_messages_total",
            "Control messages lost because too many waited in memory while the outbox could not write.");
        MeasurementsShed = factory.CreateCounter(
            "edge_agent_measurements_shed_total", "Measurements dropped because the outbox could not store them.");
        MeasurementAcks = factory.CreateCounter(
            "edge_agent_measurement_acks_total", "Measurement batches the trainer acknowledged as stored.");
        MeasurementResends = factory.CreateCounter(
            "edge_agent_measurement_resends_total", "Measurement batches sent again after no acknowledgement came.");
        MeasurementsUnrouted = factory.CreateCounter(
            "edge_agent_measurements_unrouted_total",
            "Measurement batches the broker had no subscriber for (PUBACK reason 16); kept and sent again.");
        SubscriptionRefusals = factory.CreateCounter(
            "edge_agent_subscription_refusals_total",
            "Subscriptions the broker refused (reported on the errors topic).");
        Published = factory.CreateCounter("edge_agent_published_messages_total",
            "Messages acknowledged by the broker.");
        Reconnects = factory.CreateCounter("edge_agent_mqtt_reconnects_total",
            "Connections to the broker established after the first.");
        Connected = factory.CreateGauge("edge_agent_mqtt_connected", "1 while connected to the broker.");
        Measurements = factory.CreateCounter("edge_agent_measurements_recorded_total",
            "Measurements recorded for the trainer.");
        ModelOffers = factory.CreateCounter("edge_agent_model_offers_total", "Model offers answered.",
            new CounterConfiguration { LabelNames = ["result"] });
        Inferences = factory.CreateCounter("edge_agent_inferences_total", "Inferences made.");
        InferenceSeconds = factory.CreateHistogram("edge_agent_inference_seconds", "End-to-end inference latency.",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.0005, 2, 16) });
        ModelVersion = factory.CreateGauge("edge_agent_model_info", "1 for the installed model version.",
            new GaugeConfiguration { LabelNames = ["version"] });
        ModelLiveAccuracy = factory.CreateGauge(
            "edge_agent_model_live_accuracy",
            "Live accuracy (0..1) of the active model on the calibration set, mean of the recent probe rounds; "
            + "NaN before the first round.");
        ModelLiveAccuracy.Set(double.NaN);
        PredictionClassShift = factory.CreateGauge(
            "edge_agent_prediction_class_shift",
            "Total variation distance (0..1) of the classes predicted on recent local traffic from the calibration "
            + "set's class mix (a label-free drift signal); NaN before enough answers.");
        PredictionClassShift.Set(double.NaN);
        BusyRefusals = factory.CreateCounter(
            "edge_agent_busy_refusals_total",
            "Inbound messages refused as busy because their lane (or their requester's PAT queue) was full.",
            new CounterConfiguration { LabelNames = ["lane"] });
        LaneDepth = factory.CreateGauge(
            "edge_agent_lane_depth",
            "Inbound messages waiting in each lane.",
            new GaugeConfiguration { LabelNames = ["lane"] });
        PatSlices = factory.CreateCounter(
            "edge_agent_pat_slices_total", "Device calls made for PAT (each at most PatSliceDrives drives).");
        DeviceState = factory.CreateGauge(
            "edge_agent_device_state", "0 while the device is in service, 1 while it is parked after a fault.");
        DeviceTrips = factory.CreateCounter(
            "edge_agent_device_trips_total",
            "Times the supervisor parked the device, by fault.",
            new CounterConfiguration { LabelNames = ["fault"] });
        FallbackInferences = factory.CreateCounter(
            "edge_agent_fallback_inferences_total",
            "Inferences answered by the model's digital twin while the device was parked (also in inferences_total).");
    }

    /// <summary>The registry holding these metrics.</summary>
    public CollectorRegistry Registry { get; }

    /// <summary>PAT requests served.</summary>
    public Counter PatRequests { get; }

    /// <summary>Drives played for PAT.</summary>
    public Counter PatDrives { get; }

    /// <summary>Device forward-pass time per PAT request.</summary>
    public Histogram DeviceSeconds { get; }

    /// <summary>Rejected incoming messages by topic kind.</summary>
    public Counter Rejected { get; }

    /// <summary>Outbox depth in messages.</summary>
    public Gauge OutboxMessages { get; }

    /// <summary>Outbox depth in bytes.</summary>
    public Gauge OutboxBytes { get; }

    /// <summary>Measurement batches shed by the outbox bound.</summary>
    public Counter OutboxDropped { get; }

    /// <summary>Measurement batches awaiting the trainer's acknowledgement.</summary>
    public Gauge OutboxAwaitingAck { get; }

    /// <summary>Failed outbox database operations.</summary>
    public Counter OutboxStorageErrors { get; }

    /// <summary>1 while the outbox cannot write.</summary>
    public Gauge OutboxDegraded { get; }

    /// <summary>Control messages lost from the in-memory spill.</summary>
    public Counter OutboxControlDropped { get; }

    /// <summary>Measurements the recorder dropped because the outbox could not store them.</summary>
    public Counter MeasurementsShed { get; }

    /// <summary>Measurement batches acknowledged by the trainer.</summary>
    public Counter MeasurementAcks { get; }

    /// <summary>Measurement batches sent again.</summary>
    public Counter MeasurementResends { get; }

    /// <summary>Measurement batches without a subscriber at the broker.</summary>
    public Counter MeasurementsUnrouted { get; }

    /// <summary>Subscriptions refused by the broker.</summary>
    public Counter SubscriptionRefusals { get; }

    /// <summary>Messages the broker acknowledged.</summary>
    public Counter Published { get; }

    /// <summary>Reconnections.</summary>
    public Counter Reconnects { get; }

    /// <summary>Connection state.</summary>
    public Gauge Connected { get; }

    /// <summary>Measurements recorded.</summary>
    public Counter Measurements { get; }

    /// <summary>Model offers by result (accepted, rejected, malformed).</summary>
    public Counter ModelOffers { get; }

    /// <summary>Inferences made (reported by the inference engine through <see cref="RecordInference"/>).</summary>
    public Counter Inferences { get; }

    /// <summary>Inference latency.</summary>
    public Histogram InferenceSeconds { get; }

    private string? _modelLabel;

    /// <summary>Installed model version (info-style gauge).</summary>
    public Gauge ModelVersion { get; }

    /// <summary>Live calibration accuracy of the active model.</summary>
    public Gauge ModelLiveAccuracy { get; }

    /// <summary>Class-mix shift of recent predictions from the calibration set.</summary>
    public Gauge PredictionClassShift { get; }

    /// <summary>Inbound messages refused as busy, by lane.</summary>
    public Counter BusyRefusals { get; }

    /// <summary>Inbound messages waiting, by lane.</summary>
    public Gauge LaneDepth { get; }

    /// <summary>Device calls made for PAT.</summary>
    public Counter PatSlices { get; }

    /// <summary>The device's state: 0 in service, 1 parked.</summary>
    public Gauge DeviceState { get; }

    /// <summary>Times the device was parked, by fault.</summary>
    public Counter DeviceTrips { get; }

    /// <summary>Inferences the twin answered while the device was parked.</summary>
    public Counter FallbackInferences { get; }

    /// <summary>Sets <c>edge_agent_model_live_accuracy</c> (NaN when there is no figure for the active model).
    /// </summary>
    public void ObserveLiveAccuracy(double? accuracy) => ModelLiveAccuracy.Set(accuracy ?? double.NaN);

    /// <summary>Sets <c>edge_agent_prediction_class_shift</c> (NaN when there is no figure).</summary>
    public void ObserveClassShift(double? shift) => PredictionClassShift.Set(shift ?? double.NaN);

    /// <summary>
    /// Sets <c>edge_agent_model_info{version}</c> to 1 for the active model's version (and drops the previous
    /// version's series); no series while no model is active.
    /// </summary>
    public void ObserveModel(int? version)
    {
        var label = version?.ToString(System.Globalization.CultureInfo.InvariantCulture);
        lock (ModelVersion)
        {
            if (_modelLabel is { } previous && previous != label)
            {
                ModelVersion.RemoveLabelled(previous);
            }

            if (label is not null)
            {
                ModelVersion.WithLabels(label).Set(1);
            }

            _modelLabel = label;
        }
    }

    /// <summary>Counts one inference and its latency.</summary>
    public void RecordInference(TimeSpan latency)
    {
        Inferences.Inc();
        InferenceSeconds.Observe(latency.TotalSeconds);
    }

    /// <summary>
    /// Reads the outbox's depth, counters and state (and the recorder's shed count) at every scrape, so they are
    /// right whether or not the broker is reachable.
    /// </summary>
    public void WatchOutbox(SqliteOutbox outbox, MeasurementRecorder recorder)
    {
        ArgumentNullException.ThrowIfNull(outbox);
        ArgumentNullException.ThrowIfNull(recorder);
        Registry.AddBeforeCollectCallback(() => ObserveOutbox(outbox, recorder));
    }

    /// <summary>Copies the outbox's depth, counters and state into the metrics.</summary>
    public void ObserveOutbox(SqliteOutbox outbox, MeasurementRecorder recorder)
    {
        ArgumentNullException.ThrowIfNull(outbox);
        ArgumentNullException.ThrowIfNull(recorder);
        OutboxMessages.Set(outbox.Count);
        OutboxBytes.Set(outbox.Bytes);
        OutboxAwaitingAck.Set(outbox.AwaitingAck);
        OutboxDegraded.Set(outbox.Problem is null ? 0 : 1);
        OutboxDropped.IncTo(outbox.DroppedMeasurements);
        OutboxStorageErrors.IncTo(outbox.StorageErrors);
        OutboxControlDropped.IncTo(outbox.DroppedControlMessages);
        MeasurementsShed.IncTo(recorder.Shed);
    }
}
