using Edge.Domain.Messaging;
using Edge.Trainer.Live;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Integration.Tests;

/// <summary>
/// A started broker and a temporary folder, with what a delivery test puts on them — agents whose outbox is in the
/// folder, recorders of their errors topic, a trainer's measurement ingest — disposed in reverse order, then the
/// broker and the folder.
/// </summary>
internal sealed class DeliveryField : IAsyncDisposable
{
    private readonly Stack<IAsyncDisposable> _owned = new();

    private DeliveryField(TestBroker broker, TempFolder folder) => (Broker, Folder) = (broker, folder);

    public TestBroker Broker { get; }

    public TempFolder Folder { get; }

    /// <summary>The agent's outbox file in the folder.</summary>
    public string OutboxPath => Folder.Path("outbox.db");

    /// <summary>Starts <paramref name="broker"/> (made in the field's folder), or a plain mosquitto.</summary>
    public static async Task<DeliveryField> StartAsync(Func<TempFolder, TestBroker>? broker = null)
    {
        var folder = new TempFolder();
        var started = broker?.Invoke(folder) ?? TestBroker.Create("mosquitto");
        try
        {
            await started.StartAsync();
        }
        catch
        {
            await started.DisposeAsync();
            folder.Dispose();
            throw;
        }

        return new DeliveryField(started, folder);
    }

    /// <summary>The agent's error message on the first thing <paramref name="errors"/> recorded.</summary>
    public static ErrorMessage FirstAlert(TopicRecorder errors) => ControlJson.Parse(
        TopicRecorder.Payload(errors.Received.First()),
        MessagingJsonContext.Default.ErrorMessage);

    /// <summary>An in-process agent on the broker with its outbox in the folder.</summary>
    public async Task<AgentInstance> StartAgentAsync(
        string deviceId,
        IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? configure = null)
        => Own(await AgentInstance.StartAsync(Broker.Port, deviceId, OutboxPath, settings, configure));

    /// <summary>Records the errors topic of <paramref name="deviceId"/>.</summary>
    public async Task<TopicRecorder> RecordErrorsAsync(string deviceId)
        => Own(await TopicRecorder.ConnectAsync(Broker.Port, EdgeTopics.For(deviceId, TopicKind.Errors)));

    /// <summary>A trainer's measurement ingest, started, storing into <c>trainer.db</c> in the folder.</summary>
    public async Task<TrainerIngest> StartIngestAsync(string clientId)
    {
        var store = await MeasurementStore.OpenAsync(
            Folder.Path("trainer.db"), TestContext.Current.CancellationToken);
        var metrics = new TrainerMetrics();
        var ingest = new MeasurementIngest(
            EndToEndDeliveryTests.Plain(Broker.Port, clientId), store, metrics, NullLogger.Instance);
        ingest.Start();
        return Own(new TrainerIngest(store, metrics, ingest));
    }

    public async ValueTask DisposeAsync()
    {
        while (_owned.TryPop(out var owned))
        {
            await owned.DisposeAsync();
        }

        await Broker.DisposeAsync();
        Folder.Dispose();
    }

    private T Own<T>(T owned)
        where T : IAsyncDisposable
    {
        _owned.Push(owned);
        return owned;
    }
}

/// <summary>A trainer's measurement ingest with its store and metrics.</summary>
internal sealed class TrainerIngest(MeasurementStore store, TrainerMetrics metrics, MeasurementIngest ingest)
    : IAsyncDisposable
{
    public MeasurementStore Store { get; } = store;

    public TrainerMetrics Metrics { get; } = metrics;

    public MeasurementIngest Ingest { get; } = ingest;

    public async ValueTask DisposeAsync()
    {
        await Ingest.DisposeAsync();
        await Store.DisposeAsync();
    }
}
