using Clickstream.Tests.Consumers;
using Clickstream.Tests.Infrastructure;

namespace Clickstream.Tests.Faults;

[Collection(FaultsCollection.Name)]
public sealed class RebalanceTests
{
    // The rider's log line when a worker is given partitions 0, 1 and 2 (all of raw_events).
    private const string AllPartitionsAssigned = "assigned 0, 1, 2";

    // The store's log line while a starting worker retries applying the schema against an unreachable server.
    private const string WaitingForTheDatabase = "Applying the events schema failed transiently";

    [Fact]
    public async Task A_worker_killed_and_restarted_again_and_again_beside_another_while_the_database_is_down_for_a_while_loses_nothing_and_stores_nothing_twice()
    {
        // In CI one kill cycle fewer; the second, with the database down, always runs.
        var cycles = FaultScale.Pick(full: 3, ci: 2);
        await using var pipeline = await FaultedPipeline.StartAsync();
        var flaky = pipeline.StartWorker();
        var steady = pipeline.StartWorker();
        await Task.WhenAll(flaky.WaitUntilReadyAsync(), steady.WaitUntilReadyAsync());
        // At most 500 events a second, so the stream outlasts every cycle (about a minute) and the backlog of an outage
        // stays far below what the embedded broker keeps per partition.
        var stream = DirectStream.Start(pipeline.Broker.BootstrapServers, round: 50, pause: TimeSpan.FromMilliseconds(100),
            maxEvents: 60_000, maxDuration: TimeSpan.FromMinutes(3));
        await WaitForStoredGrowthAsync(pipeline, 500);

        for (var cycle = 1; cycle <= cycles; cycle++)
        {
            var outage = cycle == 2;
            if (outage)
            {
                // A backlog builds up that neither worker can store: both fill their in-flight limit and pause fetching.
                await pipeline.Postgres.StopImmediatelyAsync();
                var ackedAtCrash = stream.Acknowledged;
                await Eventually.HoldsAsync(() => stream.Acknowledged >= ackedAtCrash + 1_500,
                    () => $"The stream stalled at {stream.Acknowledged} acked events while the database was down.");
            }

            // Gone mid-batch, without leaving the group: once its session times out, the steady worker gets its partitions.
            var handedEverything = steady.LinesContaining(AllPartitionsAssigned);
            await flaky.KillAsync();
            if (outage)
            {
                // Meanwhile a worker started now waits for the database while it starts: stopped there, it stops cleanly.
                var starting = pipeline.StartWorker();
                // The rebalance happens while the steady worker is paused and cannot store: it must fetch again afterwards.
                await Eventually.HoldsAsync(() => steady.LinesContaining(AllPartitionsAssigned) > handedEverything,
                    () => $"The steady worker was not handed every partition after the other was killed.\n{pipeline.Diagnostics()}");
                await Eventually.HoldsAsync(() => starting.LinesContaining(WaitingForTheDatabase) > 0,
                    () => $"The worker started during the outage did not report waiting for the database.\n{starting.Tail}");
                await starting.StopCleanlyAsync();
                await pipeline.Postgres.StartAgainAsync();
            }

            // Back again: another rebalance hands it some partitions of the steady worker.
            flaky = pipeline.StartWorker();
            await flaky.WaitUntilReadyAsync();
            await WaitForStoredGrowthAsync(pipeline, 500);
        }

        var acknowledged = (await stream.StopAsync()).ToList();
        acknowledged.AddRange(await pipeline.AssertNewEventsAreStoredAsync());
        await StoredRows.AssertEachStoredExactlyOnceAsync(pipeline.Postgres.ConnectionString, acknowledged, pipeline.Diagnostics);
        await PipelineProbe.WaitUntilCommittedToTheEndAsync(pipeline.Broker.BootstrapServers);
        await flaky.StopCleanlyAsync();
        await steady.StopCleanlyAsync();
    }

    // Progress between faults: rows keep arriving, so the next kill again lands in the middle of the stream.
    private static async Task WaitForStoredGrowthAsync(FaultedPipeline pipeline, long rows)
    {
        var before = await StoredRows.CountAsync(pipeline.Postgres.ConnectionString);
        long stored = before;
        await Eventually.HoldsAsync(async () => (stored = await StoredRows.CountAsync(pipeline.Postgres.ConnectionString)) >= before + rows,
            () => $"Only {stored - before} of {rows} more rows were stored.\n{pipeline.Diagnostics()}");
    }
}
