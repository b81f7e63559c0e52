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

    /// <summary>
    /// MQTT message expiry of each PAT request: a request the broker could not deliver by then (agent offline, its
    /// persistent session queueing) is dropped instead of being played to a requester long gone. Must exceed
    /// <see cref="AttemptTimeout"/>; default twice it.
    /// </summary>
    public TimeSpan? RequestExpiry { get; init; }

    /// <summary>The expiry in whole seconds (at least one above the attempt timeout).</summary>
    public uint RequestExpirySeconds
    {
        get
        {
            var expiry = RequestExpiry ?? (AttemptTimeout * 2);
            if (expiry <= AttemptTimeout)
            {
                throw new ArgumentException(
                    $"{nameof(RequestExpiry)} ({expiry}) must exceed {nameof(AttemptTimeout)} ({AttemptTimeout}): "
                    + "a request must not expire while its reply is awaited.");
            }

            return (uint)Math.Ceiling(expiry.TotalSeconds);
        }
    }

    /// <summary>How many times a timed-out request is sent again.</summary>
    public int Retries { get; init; } = 3;

    /// <summary>How long <see cref="RemoteDevice.ConnectAsync"/> waits for the agent's retained online
    /// status.</summary>
    public TimeSpan StatusTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
