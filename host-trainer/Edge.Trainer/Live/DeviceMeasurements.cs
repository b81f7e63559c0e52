using Edge.Domain.Messaging;

namespace Edge.Trainer.Live;

/// <summary>A batch of measurements and the device that sent it, as stored together by <see
/// cref="MeasurementStore"/>.</summary>
/// <param name="DeviceId">The sending agent's device id (from its topic).</param>
/// <param name="Batch">The decoded batch.</param>
public readonly record struct DeviceMeasurements(string DeviceId, MeasurementBatch Batch);
