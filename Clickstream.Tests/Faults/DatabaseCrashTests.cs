using Clickstream.Tests.Consumers;
using Clickstream.Tests.Infrastructure;

namespace Clickstream.Tests.Faults;

[Collection(FaultsCollection.Name)]
public sealed class DatabaseCrashTests
{
    // The store's log line when an attempt failed on the connection and will be retried.
    private const string StoreRetrying = "failed transiently";

    [Fact]
    public async Task PostgreSQL_stopped_immediately_under_http_load_and_restarted_loses_no_accepted_event_and_stores_none_twice()
    {
        await using var pipeline = await FaultedPipeline.StartAsync();
        var api = pipeline.StartApi();
        var worker = pipeline.StartWorker();
        await Task.WhenAll(api.WaitUntilReadyAsync(), worker.WaitUntilReadyAsync());

        var load = HttpLoad.Start(api.Address, clients: 4, maxEvents: 30_000, maxDuration: TimeSpan.FromSeconds(90));
        long stored = 0;
        await Eventually.HoldsAsync(async () => (stored = await StoredRows.CountAsync(pipeline.Postgres.ConnectionString)) >= 300,
            () => $"Only {stored} rows were stored before the crash.\n{pipeline.Diagnostics()}");

        // The server dies with COPYs in flight; the API goes on accepting (it only needs Kafka) while the worker retries.
        var failuresBefore = worker.LinesContaining(StoreRetrying);
        await pipeline.Postgres.StopImmediatelyAsync();
        var acceptedAtCrash = load.Accepted;
        await Eventually.HoldsAsync(() => load.Accepted >= acceptedAtCrash + 500 && worker.LinesContaining(StoreRetrying) > failuresBefore,
            () => $"While the database was down the API accepted {load.Accepted - acceptedAtCrash} events (500 expected) "
                + $"and the worker reported {worker.LinesContaining(StoreRetrying) - failuresBefore} failed attempts.\n{pipeline.Diagnostics()}");
        await pipeline.Postgres.StartAgainAsync();

        var acceptedAtRestart = load.Accepted;
        await Eventually.HoldsAsync(() => load.Accepted >= acceptedAtRestart + 500,
            () => $"The API accepted only {load.Accepted - acceptedAtRestart} events after the restart.\n{pipeline.Diagnostics()}");
        var acknowledged = (await load.StopAsync()).ToList();

        acknowledged.AddRange(await pipeline.AssertNewEventsAreStoredAsync(api));
        await StoredRows.AssertEachStoredExactlyOnceAsync(pipeline.Postgres.ConnectionString, acknowledged, pipeline.Diagnostics);
        await PipelineProbe.WaitUntilCommittedToTheEndAsync(pipeline.Broker.BootstrapServers);
        await worker.StopCleanlyAsync();
        await api.StopCleanlyAsync();
    }
}
