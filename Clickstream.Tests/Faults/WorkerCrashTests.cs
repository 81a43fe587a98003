using Clickstream.Tests.Consumers;
using Clickstream.Tests.Infrastructure;

namespace Clickstream.Tests.Faults;

[Collection(FaultsCollection.Name)]
public sealed class WorkerCrashTests
{
    [Fact]
    public async Task A_worker_killed_with_SIGKILL_mid_stream_and_restarted_loses_no_acked_event_and_stores_none_twice()
    {
        await using var pipeline = await FaultedPipeline.StartAsync();
        var worker = await pipeline.StartReadyWorkerAsync();
        // At most 2,000 events a second: the stream is sure to outlast the kill and the restart.
        var stream = DirectStream.Start(pipeline.Broker.BootstrapServers, round: 100, pause: TimeSpan.FromMilliseconds(50),
            maxEvents: 20_000, maxDuration: TimeSpan.FromSeconds(90));

        // Killed while batches are being stored and offsets committed, nothing of it shut down.
        await WaitForRowsAsync(pipeline, 1_000);
        await worker.KillAsync();
        var ackedAtKill = stream.Acknowledged;

        var restarted = await pipeline.StartReadyWorkerAsync();
        await Eventually.HoldsAsync(() => stream.Acknowledged >= ackedAtKill + 1_000,
            () => $"The stream stalled at {stream.Acknowledged} acked events.");
        var acknowledged = (await stream.StopAsync()).ToList();

        acknowledged.AddRange(await pipeline.AssertNewEventsAreStoredAsync());
        await StoredRows.AssertEachStoredExactlyOnceAsync(pipeline.Postgres.ConnectionString, acknowledged, pipeline.Diagnostics);
        await PipelineProbe.WaitUntilCommittedToTheEndAsync(pipeline.Broker.BootstrapServers);
        await restarted.StopCleanlyAsync();
    }

    private static async Task WaitForRowsAsync(FaultedPipeline pipeline, long rows)
    {
        long stored = 0;
        await Eventually.HoldsAsync(async () => (stored = await StoredRows.CountAsync(pipeline.Postgres.ConnectionString)) >= rows,
            () => $"Only {stored} of {rows} rows were stored.\n{pipeline.Diagnostics()}");
    }
}
