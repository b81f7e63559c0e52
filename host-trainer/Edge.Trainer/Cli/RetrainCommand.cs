using System.Globalization;
using System.CommandLine;
using Edge.Domain.Messaging;
using Edge.Trainer.Live;
using Edge.Trainer.Live.Updates;

namespace Edge.Trainer.Cli;

/// <summary>
/// <c>retrain</c>: an operator's request for a field update of one device, written to the store's ledger; the
/// <c>serve --watch</c> that watches the device runs it at its next check, even right after a refused offer or within
/// the cooldown (an operator's request is a new reason), as soon as the agent is online. With
/// <c>--reset-reference</c> it also forgets the device's accuracy reference (a swapped part, another product line, a
/// level accepted as the best this part can do): the next settled live accuracy becomes the reference.
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
        var reset = new Option<bool>("--reset-reference")
        {
            Description = "Also forget the agent's accuracy reference (the best live accuracy one of its versions "
                + "settled at): for a swapped part, another product line, or a level accepted as this part's best.",
        };
        var command = new Command(
            "retrain", "Ask the running serve --watch to re-train one agent at its next check.")
        {
            deviceId, store, reset,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var device = parse.GetValue(deviceId)!;
            EdgeTopics.ValidateDeviceId(device);
            await using var measurements = await MeasurementStore.OpenAsync(parse.GetValue(store)!, cancellationToken)
                .ConfigureAwait(false);
            var ledger = new FieldUpdateLedger(measurements);
            var last = await ledger.DeviceAsync(device, cancellationToken).ConfigureAwait(false);
            if (parse.GetValue(reset))
            {
                await ledger.ResetReferenceAsync(device, cancellationToken).ConfigureAwait(false);
                var was = last.AccuracyReference is { } reference
                    ? string.Create(CultureInfo.InvariantCulture, $"{reference:P1} (v{last.ReferenceVersion})")
                    : "none";
                Console.WriteLine($"forgot the accuracy reference of {device} (was {was}); the next settled live "
                    + "accuracy becomes it");
            }

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
