namespace Edge.Trainer.Live;

/// <summary>How a <see cref="RemoteDevice"/> talks to its agent.</summary>
public sealed record RemoteDeviceOptions
{
    /// <summary>The agent's device id.</summary>
    public required string DeviceId { get; init; }

    /// <summary>The broker.</summary>
    public required BrokerOptions Broker { get; init; }

    /// <summary>Most drives per PAT request; bigger batches are split.</summary>
    public int MaxDrivesPerRequest { get; init; } = 512;

    /// <summary>How long one attempt waits for the reply.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How many times a timed-out request is sent again.</summary>
    public int Retries { get; init; } = 3;

    /// <summary>How long <see cref="RemoteDevice.ConnectAsync"/> waits for the agent's retained online status.</summary>
    public TimeSpan StatusTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
