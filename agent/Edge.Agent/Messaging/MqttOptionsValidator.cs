using Edge.Mqtt;
using Microsoft.Extensions.Options;

namespace Edge.Agent.Messaging;

/// <summary>Rejects MQTT options the agent cannot use, naming the configuration key at fault.</summary>
public sealed class MqttOptionsValidator : IValidateOptions<MqttOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, MqttOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        var failures = new List<string>();
        void Fail(string key, string problem) => failures.Add($"{MqttOptions.SectionName}:{key}: {problem}");

        if (!MqttBrokerAddress.TryParse(options.Url, out _, out var urlProblem))
        {
            Fail(nameof(options.Url), urlProblem);
        }
        else
        {
            foreach (var problem in options.ToConnectionSettings().Validate())
            {
                Fail(problem.Key, problem.Problem);
            }
        }

        if (options.ClientId.Length > 0 && !Edge.Domain.Messaging.EdgeTopics.IsValidDeviceId(options.ClientId))
        {
            Fail(nameof(options.ClientId), $"'{options.ClientId}' must be 1-64 letters, digits, '-', '_' or '.'.");
        }

        if (options.KeepAliveSeconds is < 1 or > 65535)
        {
            Fail(nameof(options.KeepAliveSeconds), $"{options.KeepAliveSeconds} is outside 1..65535 s.");
        }

        if (options.SessionExpirySeconds < 0)
        {
            Fail(nameof(options.SessionExpirySeconds), $"{options.SessionExpirySeconds} must not be negative.");
        }

        if (options.ReconnectMinDelayMs < 10 || options.ReconnectMaxDelayMs < options.ReconnectMinDelayMs)
        {
            Fail(nameof(options.ReconnectMinDelayMs),
                $"need 10 <= ReconnectMinDelayMs ({options.ReconnectMinDelayMs}) <= ReconnectMaxDelayMs "
                    + $"({options.ReconnectMaxDelayMs}).");
        }

        if (!(options.MeasurementSampleFraction is >= 0 and <= 1))
        {
            Fail(nameof(options.MeasurementSampleFraction), $"{options.MeasurementSampleFraction} is outside 0..1.");
        }

        if (options.MeasurementBatchSize is < 1 or > 65536)
        {
            Fail(nameof(options.MeasurementBatchSize), $"{options.MeasurementBatchSize} is outside 1..65536.");
        }

        if (options.MeasurementFlushMs < 1)
        {
            Fail(nameof(options.MeasurementFlushMs), $"{options.MeasurementFlushMs} must be positive.");
        }

        if (options.MeasurementAckTimeoutMs < 100
            || options.MeasurementAckMaxTimeoutMs < options.MeasurementAckTimeoutMs)
        {
            Fail(
                nameof(options.MeasurementAckTimeoutMs),
                $"need 100 <= MeasurementAckTimeoutMs ({options.MeasurementAckTimeoutMs}) <= "
                + "MeasurementAckMaxTimeoutMs "
                + $"({options.MeasurementAckMaxTimeoutMs}).");
        }

        if (options.MeasurementWindow is < 1 or > 10_000)
        {
            Fail(nameof(options.MeasurementWindow), $"{options.MeasurementWindow} is outside 1..10000.");
        }

        if (string.IsNullOrWhiteSpace(options.OutboxPath))
        {
            Fail(nameof(options.OutboxPath), "must name the SQLite outbox file.");
        }

        if (options.OutboxMaxMessages < 100)
        {
            Fail(nameof(options.OutboxMaxMessages), $"{options.OutboxMaxMessages} is below the minimum of 100.");
        }

        if (options.OutboxMaxBytes < 1 << 20)
        {
            Fail(nameof(options.OutboxMaxBytes), $"{options.OutboxMaxBytes} is below the minimum of 1 MiB.");
        }

        if (options.HomeAssistantDiscovery && string.IsNullOrWhiteSpace(options.HomeAssistantPrefix))
        {
            Fail(nameof(options.HomeAssistantPrefix), "must not be empty when discovery is on.");
        }

        ValidateLanes(options, Fail);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateLanes(MqttOptions options, Action<string, string> fail)
    {
        if (options.MaxPatDrivesPerRequest < 1)
        {
            fail(nameof(options.MaxPatDrivesPerRequest), $"{options.MaxPatDrivesPerRequest} must be positive.");
        }

        if (options.PatSliceDrives < 1)
        {
            fail(nameof(options.PatSliceDrives), $"{options.PatSliceDrives} must be positive.");
        }

        if (options.PatQueuePerRequester < 1)
        {
            fail(nameof(options.PatQueuePerRequester), $"{options.PatQueuePerRequester} must be positive.");
        }

        if (options.PatLaneCapacity < options.PatQueuePerRequester)
        {
            fail(
                nameof(options.PatLaneCapacity),
                $"{options.PatLaneCapacity} must be at least PatQueuePerRequester ({options.PatQueuePerRequester}).");
        }

        foreach (var (key, capacity) in new[]
        {
            (nameof(options.InferenceLaneCapacity), options.InferenceLaneCapacity),
            (nameof(options.OfferLaneCapacity), options.OfferLaneCapacity),
            (nameof(options.ControlLaneCapacity), options.ControlLaneCapacity),
        })
        {
            if (capacity < 1)
            {
                fail(key, $"{capacity} must be positive.");
            }
        }
    }
}
