using Clickstream.Consumers.Configuration;
using Clickstream.Consumers.Consuming;
using Clickstream.Consumers.Storage;
using Clickstream.Contracts;
using Clickstream.Kafka;
using Clickstream.Kafka.Configuration;
using Clickstream.Kafka.Embedded;
using Clickstream.Kafka.Producing;
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
            .AddMetrics()
            .AddSingleton<StoreMetrics>()
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

    [Fact]
    public async Task The_test_harness_sees_the_batches_a_topic_endpoint_hands_to_the_consumer()
    {
        await using var broker = EmbeddedKafkaBroker.Start(new() { Topics = { [Topics.RawEvents] = 3, [Topics.RawEventsDeadLetter] = 1 } });
        var store = new RecordingClickEventStore();
        var services = new ServiceCollection();
        // The harness observes the bus's consumers by itself; a rider's consumer is added to it explicitly.
        services.AddConsumerContainerTestHarness<ClickEventBatchConsumer>();
        await using var provider = services
            .AddLogging()
            .AddSingleton<IClickEventStore>(store)
            .AddMetrics()
            .AddSingleton<StoreMetrics>()
            .Configure<IngestionBatchOptions>(o => o.TimeLimit = TimeSpan.FromMilliseconds(200))
            .AddMassTransitTestHarness(x => x.AddRider(rider =>
            {
                rider.AddConsumer<ClickEventBatchConsumer, ClickEventBatchConsumerDefinition>();
                rider.AddProducer<ClickEvent>(Topics.RawEvents, p => p.Key = e => e.UserId.ToString());
                rider.UsingKafka((context, k) =>
                {
                    k.Host(broker.BootstrapServers);
                    k.TopicEndpoint<ClickEvent>(Topics.RawEvents, "harness", e => e.ConfigureConsumer<ClickEventBatchConsumer>(context));
                });
            }))
            .BuildServiceProvider(validateScopes: true);
        var harness = provider.GetRequiredService<ITestHarness>();
        await harness.Start();
        var events = ClickEvents.Many(300);

        using (var scope = provider.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<ITopicProducer<ClickEvent>>().ProduceManyAsync(events);
        }

        // The harness records a batch once the consumer returned, so it is the last to know.
        var consumer = harness.GetConsumerHarness<ClickEventBatchConsumer>();
        List<Guid> Consumed() => consumer.Consumed.Select<Batch<ClickEvent>>().SelectMany(c => c.Context.Message.Select(m => m.Message.EventId)).ToList();
        Assert.True(await Eventually.TrueAsync(() => Consumed().Count >= events.Count, TimeSpan.FromSeconds(60)),
            $"The harness saw {Consumed().Count} of {events.Count} events consumed.");
        Assert.Equal(events.Select(e => e.EventId).Order(), Consumed().Order());
        Assert.Equal(events.Select(e => e.EventId).Order(), store.Batches.SelectMany(b => b).Select(e => e.EventId).Order());
        Assert.DoesNotContain(consumer.Consumed.Select<Batch<ClickEvent>>(), m => m.Exception is not null);
    }
}
