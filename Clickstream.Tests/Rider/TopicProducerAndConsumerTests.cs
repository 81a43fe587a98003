using Clickstream.Contracts;
using Clickstream.Kafka;
using Clickstream.Kafka.Embedded;
using Clickstream.Kafka.Producing;
using Clickstream.Tests.Support;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Clickstream.Tests.Rider;

public sealed class TopicProducerAndConsumerTests
{
    [Fact]
    public async Task Produced_events_reach_a_plain_consumer_with_partition_offset_and_the_user_id_as_key()
    {
        const int count = 10_000;
        await using var broker = EmbeddedKafkaBroker.Start(new() { Topics = { [Topics.RawEvents] = 3, [Topics.RawEventsDeadLetter] = 1 } });
        var received = new Received();
        await using var host = await RiderHost.StartAsync(broker.BootstrapServers,
            rider =>
            {
                rider.AddConsumer<RecordingConsumer>();
                rider.AddProducer<ClickEvent>(Topics.RawEvents, p => p.Key = e => e.UserId.ToString());
            },
            (context, k) => k.TopicEndpoint<ClickEvent>(Topics.RawEvents, "readers", e => e.ConfigureConsumer<RecordingConsumer>(context)),
            services => services.AddSingleton(received));

        var events = ClickEvents.Many(count);
        var producer = host.GetScoped<ITopicProducer<ClickEvent>>();
        await Task.WhenAll(events.Chunk(500).Select(chunk => producer.ProduceManyAsync(chunk)));

        await received.WaitForAsync(r => r.Messages.Select(m => m.Event.EventId).Distinct().Count() == count);
        var byId = events.ToDictionary(e => e.EventId);
        foreach (var (message, kafka) in received.Messages)
        {
            var sent = byId[message.EventId];
            Assert.Equal(sent.UserId.ToString(), kafka.Key);
            Assert.Equal(Topics.RawEvents, kafka.Topic);
            Assert.InRange(kafka.Partition, 0, 2);
            Assert.True(kafka.Offset >= 0);
            Assert.Equal(sent.EventTime, message.EventTime);
            Assert.Equal(sent.Page, message.Page);
        }
        Assert.Equal(count, received.Messages.Select(m => (m.Kafka.Partition, m.Kafka.Offset)).Distinct().Count());
    }
}
