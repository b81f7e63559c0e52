using Edge.Agent.Messaging;
using Edge.Agent.Models;
using Edge.Domain.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Edge.Agent.Inference;

/// <summary>
/// The service's one path from an example to a result, shared by the watched directory and the MQTT request topic:
/// classify with the store's active model (which feeds its health window), log the result with its digital and device
/// time, and publish it on <c>inference</c> when MQTT is enabled.
/// </summary>
public sealed partial class LiveInference
{
    private readonly ModelStore _store;
    private readonly IServiceProvider _services;
    private readonly ILogger<LiveInference> _logger;
    private readonly Lock _gate = new();
    private (int Version, AudioFeatures? Audio) _audio;

    /// <summary>Creates the path over <paramref name="store"/>; the MQTT service, when registered, is looked up on
    /// first use.</summary>
    public LiveInference(ModelStore store, IServiceProvider services, ILogger<LiveInference> logger)
    {
        (_store, _services, _logger) = (store, services, logger);
    }

    /// <summary>
    /// The active model's input: its feature count and, for a model that takes sound, the encoder that makes its
    /// features. Throws <see cref="ModelStoreException"/> when no model is active.
    /// </summary>
    public (ModelManifest Manifest, AudioFeatures? Audio) ActiveInput()
    {
        var manifest = _store.ActiveManifest
            ?? throw new
                ModelStoreException("No model is active: install one with 'edge-agent models install <package>' or "
                    + "offer one over MQTT.");
        lock (_gate)
        {
            if (_audio.Version != manifest.ModelVersion)
            {
                _audio = (manifest.ModelVersion,
                    manifest.Input.Audio is { } encoding ? new AudioFeatures(encoding) : null);
            }

            return (manifest, _audio.Audio);
        }
    }

    /// <summary>
    /// Classifies <paramref name="features"/> (named <paramref name="source"/> in the log), logs and publishes the
    /// result; only <see cref="InferenceOrigin.Local"/> traffic feeds the store's health window.
    /// Bad features raise <see cref="ArgumentException"/>; no active model <see cref="ModelStoreException"/>; device
    /// failures pass through.
    /// </summary>
    public async Task<(InferenceResult Result, int Version)> ClassifyAsync(
        float[] features, string source, InferenceOrigin origin, CancellationToken cancellationToken)
    {
        var (result, version) = await _store.ClassifyAsync(features, origin, cancellationToken).ConfigureAwait(false);
        if (result.Degraded)
        {
            LogDegradedResult(
                _logger, source, result.Label, result.Confidence, version, result.DigitalTime.TotalMicroseconds);
        }
        else
        {
            LogResult(
                _logger,
                source,
                result.Label,
                result.Confidence,
                version,
                result.DigitalTime.TotalMicroseconds,
                result.DeviceTime.TotalMicroseconds);
        }

        _services.GetService<MqttAgentService>()?.PublishInference(
            result.ClassIndex,
            result.Label,
            result.Confidence,
            result.DigitalTime + result.DeviceTime,
            version,
            result.Degraded);
        return (result, version);
    }

    [LoggerMessage(
        Level = LogLevel.Information,
        Message = "Inference {Source}: {Label} ({Confidence:P1}) by model {Version}, degraded: device parked, "
            + "physical stages on the digital twin; {DigitalUs:F0} µs")]
    private static partial void LogDegradedResult(
        ILogger logger, string source, string label, float confidence, int version, double digitalUs);

    [LoggerMessage(Level = LogLevel.Information, Message =
        "Inference {Source}: {Label} ({Confidence:P1}) by model {Version}; digital {DigitalUs:F0} µs, device "
            + "{DeviceUs:F0} µs")]
    private static partial void LogResult(ILogger logger, string source, string label, float confidence, int version,
        double digitalUs, double deviceUs);
}
