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
            Fail(nameof(options.ReconnectMinDelayMs), $"need 10 <= ReconnectMinDelayMs ({options.ReconnectMinDelayMs}) <= ReconnectMaxDelayMs ({options.ReconnectMaxDelayMs}).");
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

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
