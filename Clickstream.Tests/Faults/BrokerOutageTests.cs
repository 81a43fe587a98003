using Clickstream.Tests.Consumers;
using Clickstream.Tests.Infrastructure;

namespace Clickstream.Tests.Faults;

[Collection(FaultsCollection.Name)]
public sealed class BrokerOutageTests
{
    [Fact]
    public async Task With_the_broker_down_under_http_load_clients_get_503_with_Retry_After_and_by_retrying_lose_nothing()
    {
        await using var pipeline = await FaultedPipeline.StartAsync();
        var api = pipeline.StartApi();
        var worker = pipeline.StartWorker();
        await Task.WhenAll(api.WaitUntilReadyAsync(), worker.WaitUntilReadyAsync());

        var load = HttpLoad.Start(api.Address, clients: 4, maxEvents: 30_000, maxDuration: TimeSpan.FromSeconds(90));
        await Eventually.HoldsAsync(() => load.Accepted >= 300, () => $"Only {load.Accepted} events were accepted before the outage.\n{pipeline.Diagnostics()}");

        // Down until every client was refused at least twice or so: the API must answer, not hang, and say when to retry.
        pipeline.Broker.SetBrokerDown(1);
        try
        {
            await Eventually.HoldsAsync(() => load.Refused >= 8,
                () => $"Only {load.Refused} requests were refused with 503 while the broker was down.\n{pipeline.Diagnostics()}");
        }
        finally
        {
            pipeline.Broker.SetBrokerUp(1);
        }

        var acceptedAtRecovery = load.Accepted;
        await Eventually.HoldsAsync(() => load.Accepted >= acceptedAtRecovery + 500,
            () => $"The API accepted only {load.Accepted - acceptedAtRecovery} events after the broker came back.\n{pipeline.Diagnostics()}");
        var acknowledged = (await load.StopAsync()).ToList();
        Assert.All(load.RetryAfters, retryAfter => Assert.Equal(TimeSpan.FromSeconds(1), retryAfter));

        acknowledged.AddRange(await pipeline.AssertNewEventsAreStoredAsync(api));
        await StoredRows.AssertEachStoredExactlyOnceAsync(pipeline.Postgres.ConnectionString, acknowledged, pipeline.Diagnostics);
        await PipelineProbe.WaitUntilCommittedToTheEndAsync(pipeline.Broker.BootstrapServers);
        await worker.StopCleanlyAsync();
        await api.StopCleanlyAsync();
    }
}
