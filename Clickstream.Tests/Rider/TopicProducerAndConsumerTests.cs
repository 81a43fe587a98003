using System.Text;
using System.Text.Json;
using Clickstream.Contracts;
using Clickstream.Kafka;
using Clickstream.Kafka.Embedded;
using Clickstream.Kafka.Producing;
using Clickstream.Kafka.Serialization;
using Clickstream.Tests.Kafka;
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

    [Fact]
    public async Task Values_serialized_by_the_caller_are_sent_as_they_are_with_the_message_s_key()
    {
        await using var broker = EmbeddedKafkaBroker.Start(new() { Topics = { [Topics.RawEvents] = 1 } });
        await using var host = await RiderHost.StartAsync(broker.BootstrapServers,
            rider => rider.AddProducer<ClickEvent>(Topics.RawEvents, p => p.Key = e => e.UserId.ToString()), (_, _) => { });
        var producer = host.GetScoped<ITopicProducer<ClickEvent>>();
        var events = ClickEvents.Many(3);
        // Laid out differently from the producer's own serialization, so the bytes on the topic show whose they are.
        var indented = new JsonSerializerOptions(WireJson.Options) { WriteIndented = true };
        var values = events.Select(e => JsonSerializer.SerializeToUtf8Bytes(e, indented)).ToArray();

        await Assert.ThrowsAsync<ArgumentException>(() => producer.ProduceManyAsync(events, values[..2]));
        await producer.ProduceManyAsync(events, values);

        var read = KafkaTestClients.ReadAll(broker.BootstrapServers, Topics.RawEvents, 3, TimeSpan.FromSeconds(30));
        Assert.Equal(values.Select(Encoding.UTF8.GetString), read.Select(r => r.Message.Value));
        Assert.Equal(events.Select(e => e.UserId.ToString()), read.Select(r => r.Message.Key));
        Assert.All(read, r => Assert.Equal(WireJson.ContentType, KafkaTestClients.Header(r, "Content-Type")));
    }
}
