using System.Diagnostics;
using Clickstream.Contracts;
using Clickstream.Kafka;
using Clickstream.Kafka.Embedded;
using Clickstream.Kafka.Producing;
using Clickstream.Tests.Support;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Clickstream.Tests.Rider;

public sealed class BatchConsumerTests
{
    [Fact]
    public async Task Batches_fill_up_to_the_message_limit_when_keys_repeat_and_a_lone_message_arrives_after_the_time_limit()
    {
        const int count = 20_000;
        await using var broker = EmbeddedKafkaBroker.Start(new() { Topics = { [Topics.RawEvents] = 3, [Topics.RawEventsDeadLetter] = 1 } });
        var received = new Received();
        await using var host = await StartAsync(broker, received, inFlightLimit: null);

        // Ten users only: thousands of messages share each key.
        var events = ClickEvents.Many(count, usersCount: 10);
        var producer = host.GetScoped<ITopicProducer<ClickEvent>>();
        await producer.ProduceManyAsync(events);
        await received.WaitForAsync(r => r.Messages.Select(m => m.Event.EventId).Distinct().Count() == count);

        var sizes = received.BatchSizes;
        Assert.All(sizes, size => Assert.InRange(size, 1, RecordingBatchConsumerDefinition.MessageLimit));
        Assert.True(sizes.Count(s => s == RecordingBatchConsumerDefinition.MessageLimit) * RecordingBatchConsumerDefinition.MessageLimit >= count * 9 / 10,
            $"Most messages should arrive in full batches; batch sizes were {string.Join(", ", sizes)}.");
        AssertPartitionOrderWithinBatches(received);

        var batchesBefore = sizes.Count;
        var lone = ClickEvents.Create(count + 1);
        var sent = Stopwatch.StartNew();
        await producer.ProduceAsync(lone);
        await received.WaitForAsync(r => r.Messages.Any(m => m.Event.EventId == lone.EventId));
        Assert.True(sent.Elapsed >= TimeSpan.FromSeconds(0.9), $"A lone message waits for the 1 s time limit (took {sent.Elapsed}).");
        Assert.Equal(1, received.BatchSizes.Skip(batchesBefore).Single());
    }

    [Fact]
    public async Task An_in_flight_limit_below_the_batch_size_is_raised_so_batches_still_fill()
    {
        const int count = 2_000;
        await using var broker = EmbeddedKafkaBroker.Start(new() { Topics = { [Topics.RawEvents] = 3, [Topics.RawEventsDeadLetter] = 1 } });
        var received = new Received();
        await using var host = await StartAsync(broker, received, inFlightLimit: 50);

        await host.GetScoped<ITopicProducer<ClickEvent>>().ProduceManyAsync(ClickEvents.Many(count, usersCount: 3));
        await received.WaitForAsync(r => r.Messages.Select(m => m.Event.EventId).Distinct().Count() == count);

        Assert.Contains(RecordingBatchConsumerDefinition.MessageLimit, received.BatchSizes);
    }

    private static void AssertPartitionOrderWithinBatches(Received received)
    {
        // The consumer records each batch's messages in batch order: per partition, offsets must rise.
        var lastOffset = new Dictionary<int, long>();
        foreach (var (_, kafka) in received.Messages)
        {
            if (lastOffset.TryGetValue(kafka.Partition, out var previous))
            {
                Assert.True(kafka.Offset > previous, $"Partition {kafka.Partition}: offset {kafka.Offset} came after {previous}.");
            }
            lastOffset[kafka.Partition] = kafka.Offset;
        }
    }

    private static Task<RiderHost> StartAsync(EmbeddedKafkaBroker broker, Received received, int? inFlightLimit) =>
        RiderHost.StartAsync(broker.BootstrapServers,
            rider =>
            {
                rider.AddConsumer<RecordingBatchConsumer, RecordingBatchConsumerDefinition>();
                rider.AddProducer<ClickEvent>(Topics.RawEvents, p => p.Key = e => e.UserId.ToString());
            },
            (context, k) => k.TopicEndpoint<ClickEvent>(Topics.RawEvents, "batchers", e =>
            {
                if (inFlightLimit is { } limit)
                {
                    e.Settings.ConcurrentMessageLimit = limit;
                }
                e.ConfigureConsumer<RecordingBatchConsumer>(context);
            }),
            services => services.AddSingleton(received));
}
