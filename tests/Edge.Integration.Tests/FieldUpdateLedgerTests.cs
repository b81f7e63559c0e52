using Edge.Trainer.Live;
using Edge.Trainer.Live.Updates;

namespace Edge.Integration.Tests;

/// <summary>
/// The field-update ledger on both store databases (SQLite and a real PostgreSQL server): what it records survives
/// reopening the store, a version keeps its first content, and sessions move refusals, cooldowns and requests.
/// </summary>
public sealed class FieldUpdateLedgerTests(PostgresFixture postgres) : IDisposable
{
    private static readonly DateTimeOffset At = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
    private readonly TempFolder _folder = new();

    public static TheoryData<StoreDialect> Dialects => [StoreDialect.Sqlite, StoreDialect.PostgreSql];

    [Theory]
    [MemberData(nameof(Dialects))]
    public async Task Versions_hashes_and_references_survive_reopening_and_a_version_keeps_its_first_content(
        StoreDialect dialect)
    {
        var token = TestContext.Current.CancellationToken;
        var target = await TargetAsync(dialect);
        await using (var store = await MeasurementStore.OpenAsync(target, token))
        {
            var ledger = new FieldUpdateLedger(store);
            Assert.Equal(0, await ledger.MaxVersionAsync("dev-1", token));
            await ledger.RegisterAsync("dev-1", 1, "aa11", FieldVersionState.Watched, "/p/dev-1-v1.edgepkg", At, token);
            await ledger.SetBaselineAsync("dev-1", 1, 0.0425, token);
            await ledger.RegisterAsync("dev-1", 2, "bb22", FieldVersionState.Offered, null, At.AddHours(1), token);
            await ledger.SetStateAsync("dev-1", 2, FieldVersionState.Refused, "no better than v1", token);
            var again = await ledger.RegisterAsync(
                "dev-1", 2, "cc33", FieldVersionState.Offered, null, At.AddHours(2), token);
            Assert.Equal(("bb22", FieldVersionState.Refused), (again.Sha256, again.State));
            await Assert.ThrowsAsync<InvalidOperationException>(() => ledger.SetBaselineAsync("dev-1", 9, 0.1, token));
        }

        await using (var reopened = await MeasurementStore.OpenAsync(target, token))
        {
            var ledger = new FieldUpdateLedger(reopened);
            Assert.Equal(2, await ledger.MaxVersionAsync("dev-1", token));
            Assert.Equal(0, await ledger.MaxVersionAsync("dev-2", token));
            Assert.Equal(
                new FieldVersionRecord(1, "aa11", FieldVersionState.Watched, null, "/p/dev-1-v1.edgepkg", 0.0425, At),
                await ledger.VersionAsync("dev-1", 1, token));
            Assert.Equal(
                new FieldVersionRecord(
                    2, "bb22", FieldVersionState.Refused, "no better than v1", null, null, At.AddHours(1)),
                await ledger.VersionAsync("dev-1", 2, token));
            Assert.Null(await ledger.VersionAsync("dev-1", 3, token));
        }
    }

    [Theory]
    [MemberData(nameof(Dialects))]
    public async Task Sessions_remember_a_refusal_until_an_acceptance_and_a_completed_one_consumes_a_request(
        StoreDialect dialect)
    {
        var token = TestContext.Current.CancellationToken;
        await using var store = await MeasurementStore.OpenAsync(await TargetAsync(dialect), token);
        var ledger = new FieldUpdateLedger(store);
        Assert.Equal(FieldDeviceRecord.Empty, await ledger.DeviceAsync("dev-1", token));

        await ledger.RequestAsync("dev-1", At, token);
        await ledger.RecordSessionAsync("dev-1", Session(0, "operator", FieldSessionOutcome.Failed, null, null), token);
        var failed = await ledger.DeviceAsync("dev-1", token);
        Assert.Equal(FieldSessionOutcome.Failed, failed.LastOutcome);
        Assert.Equal(((DateTimeOffset?)null, (DateTimeOffset?)At), (failed.LastCompleted, failed.Requested));

        await ledger.RecordSessionAsync("dev-1", Session(5, "operator", FieldSessionOutcome.Refused, 2, 0.4), token);
        var end = At.AddMinutes(6);
        Assert.Equal(
            new FieldDeviceRecord(end, "operator", FieldSessionOutcome.Refused, "refused", end, 2, 0.4, null)
            {
                Refusals = 1,
            },
            await ledger.DeviceAsync("dev-1", token));

        await ledger.RecordSessionAsync("dev-1", Session(60, "drift", FieldSessionOutcome.Failed, null, 0.7), token);
        var stillRefused = await ledger.DeviceAsync("dev-1", token);
        Assert.Equal((2, (double?)0.4), (stillRefused.RefusedVersion, stillRefused.RefusedRise));

        await ledger.RecordSessionAsync("dev-1", Session(120, "drift", FieldSessionOutcome.Accepted, 3, 0.7), token);
        var accepted = await ledger.DeviceAsync("dev-1", token);
        Assert.Equal(((int?)null, (double?)null), (accepted.RefusedVersion, accepted.RefusedRise));
        Assert.Equal(At.AddMinutes(121), accepted.LastCompleted);
    }

    [Fact]
    public async Task Version_numbers_skip_every_kept_package_and_a_kept_file_is_never_overwritten()
    {
        var token = TestContext.Current.CancellationToken;
        await using var store = await MeasurementStore.OpenAsync(_folder.Path("book.db"), token);
        var ledger = new FieldUpdateLedger(store);
        var kept = _folder.Path("kept");
        Directory.CreateDirectory(kept);
        // A ledger that was reset: the packages on disk still hold versions 2 and 3, the agent runs 1.
        await File.WriteAllBytesAsync(Path.Combine(kept, "dev-1-v2.edgepkg"), [2], token);
        await File.WriteAllBytesAsync(Path.Combine(kept, "dev-1-v3.edgepkg"), [3], token);
        var book = new FieldVersionBook(ledger, kept, TimeProvider.System);
        var system = Edge.Domain.Simulation.PhysicalSystems.Get("electronic");
        var part = system.CreateDevice("dev-1", 1);
        var model = Edge.Trainer.Training.PnnArchitectures.ForSystem("electronic", part, 12, 7, 32, seed: 1);
        var device = new FieldDevice("dev-1", model, 1, new Edge.Trainer.Twins.PhysicsTwin(system.Physics, "n"), At);

        Assert.Equal(4, await book.NextAsync(device, token));
        var taken = await Assert.ThrowsAsync<InvalidOperationException>(
            () => book.RecordOfferAsync("dev-1", 3, [9], token));
        Assert.Contains("already kept", taken.Message, StringComparison.Ordinal);
        Assert.Equal([3], await File.ReadAllBytesAsync(Path.Combine(kept, "dev-1-v3.edgepkg"), token));

        var hash = await book.RecordOfferAsync("dev-1", 4, [4, 4], token);
        Assert.Equal(FieldPackageLoader.Hash([4, 4]), hash);
        Assert.Equal(5, await book.NextAsync(device, token));
        var four = await ledger.VersionAsync("dev-1", 4, token);
        Assert.Equal((FieldVersionState.Offered, hash), (four!.State, four.Sha256));
    }

    public void Dispose() => _folder.Dispose();

    /// <summary>A session that starts <paramref name="minute"/> minutes after <see cref="At"/> and lasts one.</summary>
    private static FieldSessionRecord Session(
        int minute, string reason, FieldSessionOutcome outcome, int? version, double? rise) =>
        new(At.AddMinutes(minute), At.AddMinutes(minute + 1), reason, outcome, Name(outcome), version, rise);

    private static string Name(FieldSessionOutcome outcome) => outcome.ToString().ToLowerInvariant();

    private async Task<string> TargetAsync(StoreDialect dialect) => dialect == StoreDialect.Sqlite
        ? _folder.Path($"ledger-{Guid.NewGuid():N}.db")
        : await postgres.NewDatabaseAsync();
}
