using System.Diagnostics;
using System.Text.Json.Nodes;
using Edge.Devices.Layers;
using Edge.Domain.Devices;
using Edge.Domain.Simulation;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Edge.Agent.Hosting;

/// <summary>
/// Holds the configured device for the lifetime of the service: announces it and its layer spec, checks that it
/// answers one drive, and logs a graceful stop. Remote work arrives through <c>MqttAgentService</c> when MQTT is
/// enabled.
/// </summary>
public sealed partial class DeviceHostService(IPhysicalSystem system, IPhysicalDevice device, ILogger<DeviceHostService>
    logger) : IHostedService
{
    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var spec = device.Spec;
        LogHosting(logger, device.DeviceId, system.Name, system.Description);
        LogSpec(logger, spec.Name, spec.InputSize, spec.ParameterSize, spec.OutputSize, spec.Dac.Bits,
            spec.Dac.SampleRateHz, spec.Adc.Bits, spec.Adc.SampleRateHz);
        if (logger.IsEnabled(LogLevel.Debug))
        {
            LogSpecJson(logger, CompactJson(spec.ToJson()));
        }

        var elapsed = await SelfTestAsync(cancellationToken).ConfigureAwait(false);
        LogSelfTest(logger, device.DeviceId, elapsed.TotalMilliseconds);
        if (device is IReportsDeviceStatus reporting)
        {
            var status = reporting.GetStatus();
            LogStatus(
                logger,
                device.DeviceId,
                status.State,
                string.Join(", ", status.Figures.Select(f => $"{f.Key} {f.Value:G6}")));
        }

        LogNoTransport(logger);
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken)
    {
        // The services that drive the layer stop first (registered after this one); then the DAC rests at its safe
        // value.
        if (device is DirectLayerDevice direct)
        {
            direct.Dispose();
            LogParked(logger, device.DeviceId, direct.SafeCode);
        }

        LogStopped(logger, device.DeviceId);
        return Task.CompletedTask;
    }

    /// <summary>Plays one drive at the centre of every segment's allowed range and times the answer.</summary>
    private async Task<TimeSpan> SelfTestAsync(CancellationToken cancellationToken)
    {
        var spec = device.Spec;
        var drive = new float[spec.DriveLength];
        for (var s = 0; s < drive.Length; s++)
        {
            var range = spec.SegmentRange(s);
            drive[s] = (float)((range.Lo + range.Hi) / 2);
        }

        var response = new float[spec.OutputSize];
        var clock = Stopwatch.StartNew();
        await device.ForwardAsync(drive, response, cancellationToken).ConfigureAwait(false);
        return clock.Elapsed;
    }

    private static string CompactJson(string json) => JsonNode.Parse(json)!.ToJsonString();

    [LoggerMessage(Level = LogLevel.Information, Message =
        "Hosting device {DeviceId} of system {System} ({Description})")]
    private static partial void LogHosting(ILogger logger, string deviceId, string system, string description);

    [LoggerMessage(Level = LogLevel.Information, Message =
        "Layer spec {SpecName}: {InputSize} inputs, {ParameterSize} parameters, {OutputSize} outputs; DAC {DacBits} "
            + "bit at {DacRateHz} Hz, ADC {AdcBits} bit at {AdcRateHz} Hz")]
    private static partial void LogSpec(ILogger logger, string specName, int inputSize, int parameterSize,
        int outputSize, int dacBits, double dacRateHz, int adcBits, double adcRateHz);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Layer spec JSON {SpecJson}")]
    private static partial void LogSpecJson(ILogger logger, string specJson);

    [LoggerMessage(Level = LogLevel.Information, Message =
        "Self-test: device {DeviceId} answered one drive in {ElapsedMs:F1} ms")]
    private static partial void LogSelfTest(ILogger logger, string deviceId, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Device {DeviceId} status {State}: {Figures}")]
    private static partial void LogStatus(ILogger logger, string deviceId, string state, string figures);

    [LoggerMessage(Level = LogLevel.Information, Message =
        "Device ready; it stays open until the service is stopped (remote work arrives over MQTT when "
            + "Edge:Mqtt:Enabled is true)")]
    private static partial void LogNoTransport(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Device {DeviceId}: DAC parked at its safe code {SafeCode}")]
    private static partial void LogParked(ILogger logger, string deviceId, int safeCode);

    [LoggerMessage(Level = LogLevel.Information, Message = "Graceful stop: device {DeviceId} released")]
    private static partial void LogStopped(ILogger logger, string deviceId);
}
