using Clickstream.Consumers.Configuration;
using Clickstream.Consumers.Consuming;
using Clickstream.Consumers.Storage;
using Clickstream.Tests.Infrastructure;
using Clickstream.Tests.Support;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Clickstream.Tests.Consumers;

public sealed class ClickEventBatchConsumerHarnessTests
{
    [Fact]
    public async Task Published_events_reach_the_store_in_batches_of_at_most_the_message_limit()
    {
        var store = new RecordingClickEventStore();
        await using var provider = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IClickEventStore>(store)
            .Configure<IngestionBatchOptions>(o => o.TimeLimit = TimeSpan.FromMilliseconds(200))
            .AddMassTransitTestHarness(x => x.AddConsumer<ClickEventBatchConsumer, ClickEventBatchConsumerDefinition>())
            .BuildServiceProvider(validateScopes: true);
        var harness = provider.GetRequiredService<ITestHarness>();
        await harness.Start();
        var events = ClickEvents.Many(2_500);

        await harness.Bus.PublishBatch(events);

        Assert.True(await Eventually.TrueAsync(() => store.Count >= events.Count, TimeSpan.FromSeconds(30)),
            $"The store received {store.Count} of {events.Count} events.");
        var sizes = store.Batches.Select(b => b.Count).ToList();
        Assert.All(sizes, size => Assert.InRange(size, 1, new IngestionBatchOptions().MessageLimit));
        Assert.True(sizes.Count <= events.Count / 10, $"Events should arrive batched; batch sizes were {string.Join(", ", sizes)}.");
        Assert.Equal(events.Select(e => e.EventId).Order(), store.Batches.SelectMany(b => b).Select(e => e.EventId).Order());
        Assert.False(await harness.Published.Any<Fault>());
    }
}
