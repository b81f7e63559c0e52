using Edge.Agent.Messaging;
using Edge.Agent.Models;
using Edge.Domain.Audio;
using Edge.Domain.Devices;
using Edge.Domain.Inference;

namespace Edge.Agent.Inference;

/// <summary>Answers MQTT inference requests with the active model through <see cref="LiveInference"/>: features or a
/// WAV file in, class out.</summary>
/// <param name="inference">The live inference path.</param>
/// <param name="device">The hosted device (its id goes into replies).</param>
public sealed class StoreInferenceHandler(LiveInference inference, IPhysicalDevice device) : IInferenceRequestHandler
{
    /// <inheritdoc />
    public async ValueTask<InferenceReplyMessage> HandleAsync(InferenceRequestMessage request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var source = string.IsNullOrWhiteSpace(request.Source) ? "mqtt" : request.Source;
        try
        {
            var (manifest, audio) = inference.ActiveInput();
            float[] features;
            if ((request.Features is null) == (request.Wav is null))
            {
                return Error(request, "the request must carry exactly one of 'features' or 'wav'.");
            }
            else if (request.Features is { } values)
            {
                features = [.. values];
            }
            else if (audio is null)
            {
                return Error(request,
                    $"model {manifest.ModelVersion} takes {manifest.Input.Size} feature values, not sound; send "
                        + "'features'.");
            }
            else
            {
                features = audio.FromWav(request.Wav!, source);
            }

            var (result, version) = await inference.ClassifyAsync(features, source, InferenceOrigin.Remote,
                cancellationToken).ConfigureAwait(false);
            return new InferenceReplyMessage
            {
                DeviceId = device.DeviceId,
                Ok = true,
                ClassIndex = result.ClassIndex,
                Label = result.Label,
                Confidence = result.Confidence,
                DigitalMs = result.DigitalTime.TotalMilliseconds,
                DeviceMs = result.DeviceTime.TotalMilliseconds,
                ModelVersion = version,
                Degraded = result.Degraded,
                Source = request.Source,
                Timestamp = DateTimeOffset.UtcNow,
            };
        }
        catch (ArgumentException e)
        {
            return Error(request,
                e.ParamName is { } name
                    ? e.Message.Replace($" (Parameter '{name}')", string.Empty, StringComparison.Ordinal) : e.Message);
        }
        catch (Exception e) when (e is WavFormatException or ModelStoreException)
        {
            return Error(request, e.Message);
        }
        catch (Exception e) when (e is IOException or TimeoutException or InvalidOperationException)
        {
            return Error(request, $"device {device.DeviceId} failed: {e.Message}");
        }
    }

    private InferenceReplyMessage Error(InferenceRequestMessage request, string problem) => new()
    {
        DeviceId = device.DeviceId,
        Ok = false,
        Source = request.Source,
        Error = problem,
        Timestamp = DateTimeOffset.UtcNow,
    };
}
