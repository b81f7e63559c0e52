namespace Edge.Demo;

/// <summary>What the demo runs: fleet size, device, training effort and the drift it provokes.</summary>
internal sealed record DemoSettings
{
    /// <summary>Simulated agents, each its own device id and part.</summary>
    public int Agents { get; init; } = 3;

    /// <summary>
    /// A broker for the trainer (<c>mqtts://host:port</c>, the service listener of deploy/mosquitto); null starts
    /// MQTTnet.Server in process.
    /// </summary>
    public string? Broker { get; init; }

    /// <summary>The broker URL of the agents (the device listener); null: <see cref="Broker"/>.</summary>
    public string? DeviceBroker { get; init; }

    /// <summary>
    /// A folder made by deploy/mosquitto/make-certs.sh: ca.crt and ca.crl, services/trainer.crt/.key and
    /// devices/{id}.crt/.key for every simulated agent. Null: no client certificates.
    /// </summary>
    public string? Certificates { get; init; }

    /// <summary>Permit a plaintext (<c>mqtt://</c>) named broker. Lab only.</summary>
    public bool AllowPlaintext { get; init; }

    /// <summary>The physical system the agents host.</summary>
    public string System { get; init; } = "electronic";

    /// <summary>Folder for the report, plots, keys, packages and the agents' stores.</summary>
    public string Output { get; init; } = "artifacts/demo";

    /// <summary>Epochs of in-silico and PAT training.</summary>
    public int Epochs { get; init; } = 60;

    /// <summary>Drives played to fit the twin.</summary>
    public int TwinSamples { get; init; } = 12_000;

    /// <summary>Fraction of played drives each agent records for the trainer.</summary>
    public double SampleFraction { get; init; } = 0.5;

    /// <summary>How much the drifting agent's surroundings warm up, in kelvin.</summary>
    public double DriftKelvin { get; init; } = 60;

    /// <summary>Relative rise of the twin residual over its post-training level that counts as drift.</summary>
    public double DriftThreshold { get; init; } = 0.15;

    /// <summary>Traffic rounds (each agent classifies the test set once) watched for drift before giving up.</summary>
    public int MaxDriftRounds { get; init; } = 20;

    /// <summary>Seed of training.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting out of range.</summary>
    public DemoSettings Validate()
    {
        if (Agents is < 1 or > 32)
        {
            throw new ArgumentException($"--agents must be 1..32, got {Agents}.");
        }

        if (Epochs < 1)
        {
            throw new ArgumentException($"--epochs must be positive, got {Epochs}.");
        }

        if (TwinSamples < 1_000)
        {
            throw new ArgumentException($"--twin-samples must be at least 1000, got {TwinSamples}.");
        }

        if (!double.IsFinite(DriftKelvin))
        {
            throw new ArgumentException($"--drift-kelvin must be a finite number, got {DriftKelvin}.");
        }

        if (SampleFraction is <= 0 or > 1)
        {
            throw new ArgumentException($"--sample-fraction must be in (0, 1], got {SampleFraction}.");
        }

        return this;
    }
}
