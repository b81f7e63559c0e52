using System.Globalization;
using System.CommandLine;
using Edge.Domain.Messaging;
using Edge.Trainer.Live;
using Edge.Trainer.Live.Updates;

namespace Edge.Trainer.Cli;

/// <summary>
/// <c>retrain</c>: an operator's request for a field update of one device, written to the store's ledger; the
/// <c>serve --watch</c> that watches the device runs it at its next check, even right after a refused offer or within
/// the cooldown (an operator's request is a new reason), as soon as the agent is online.
/// </summary>
internal static class RetrainCommand
{
    public static Command Create()
    {
        var deviceId = new Option<string>("--device-id") { Description = "Agent to re-train.", Required = true };
        var store = new Option<string>("--store")
        {
            Description = "The store of the serve that watches the agent (SQLite file or PostgreSQL connection "
                + "string).",
            DefaultValueFactory = _ => "edge-measurements.db",
        };
        var command = new Command(
            "retrain", "Ask the running serve --watch to re-train one agent at its next check.") { deviceId, store };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var device = parse.GetValue(deviceId)!;
            EdgeTopics.ValidateDeviceId(device);
            await using var measurements = await MeasurementStore.OpenAsync(parse.GetValue(store)!, cancellationToken)
                .ConfigureAwait(false);
            var ledger = new FieldUpdateLedger(measurements);
            var last = await ledger.DeviceAsync(device, cancellationToken).ConfigureAwait(false);
            await ledger.RequestAsync(device, DateTimeOffset.UtcNow, cancellationToken).ConfigureAwait(false);
            var previous = last.LastOutcome is { } outcome
                ? string.Create(
                    CultureInfo.InvariantCulture,
                    $"; last session {last.LastSession:u} ({last.LastReason}): "
                    + $"{outcome.ToString().ToLowerInvariant()}, {last.LastDetail}")
                : "; no session recorded yet";
            Console.WriteLine(
                $"requested a field update of {device}: the serve watching it runs it at its next check{previous}");
            return 0;
        });
        return command;
    }
}
