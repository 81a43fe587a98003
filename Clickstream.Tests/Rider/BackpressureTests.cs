using Clickstream.Contracts;
using System.Text.Json;
using Clickstream.Kafka;
using Clickstream.Kafka.Backlog;
using Clickstream.Kafka.Serialization;
using Clickstream.Kafka.Embedded;
using Clickstream.Kafka.Producing;
using Clickstream.Tests.Support;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Clickstream.Tests.Rider;

public sealed class BackpressureTests
{
    [Fact]
    public async Task A_stalled_consumer_pauses_fetching_and_after_it_recovers_every_message_arrives()
    {
        const int count = 5_000;
        await using var broker = EmbeddedKafkaBroker.Start(new() { Topics = { [Topics.RawEvents] = 3, [Topics.RawEventsDeadLetter] = 1 } });
        var received = new Received();
        var gate = new Gate();
        await using var host = await StartGatedAsync(broker, received, gate);

        var events = ClickEvents.Many(count);
        await host.GetScoped<ITopicProducer<ClickEvent>>().ProduceManyAsync(events);
        // Longer than the second after which a full endpoint pauses its partitions.
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(0, received.Count);
        gate.Open();

        await received.WaitForAsync(r => r.Messages.Select(m => m.Event.EventId).Distinct().Count() == count);
        Assert.Equal(events.Select(e => e.EventId).ToHashSet(), received.Messages.Select(m => m.Event.EventId).ToHashSet());
    }

    [Fact]
    public async Task Unfetched_bytes_grow_while_the_consumer_is_stalled_and_fall_to_zero_once_it_fetched_everything()
    {
        const int count = 3_000;
        await using var broker = EmbeddedKafkaBroker.Start(new() { Topics = { [Topics.RawEvents] = 3, [Topics.RawEventsDeadLetter] = 1 } });
        var received = new Received();
        var gate = new Gate();
        await using var host = await StartGatedAsync(broker, received, gate);
        Assert.Equal(0, host.Rider.GetUnfetchedBytes(Topics.RawEvents));

        var events = ClickEvents.Many(count);
        await host.GetScoped<ITopicProducer<ClickEvent>>().ProduceManyAsync(events);
        var produced = events.Sum(e => LocalBacklog.SizeOf(e.UserId.ToString().Length, JsonSerializer.SerializeToUtf8Bytes(e, WireJson.Options).Length,
            new Confluent.Kafka.Headers { { "Content-Type", "application/json"u8.ToArray() } }));

        // At most ~51 of 3,000 messages are fetched (the in-flight limit); the fullest partition holds at least a third.
        var stalled = host.Rider.GetUnfetchedBytes(Topics.RawEvents);
        Assert.InRange(stalled, produced / 4, produced);

        gate.Open();
        await received.WaitForAsync(r => r.Count >= count);
        Assert.Equal(0, host.Rider.GetUnfetchedBytes(Topics.RawEvents));
    }

    // A consumer that takes nothing until the gate opens, behind an endpoint with 50 messages in flight at most.
    private static Task<RiderHost> StartGatedAsync(EmbeddedKafkaBroker broker, Received received, Gate gate) =>
        RiderHost.StartAsync(broker.BootstrapServers,
            rider =>
            {
                rider.AddConsumer<GatedConsumer>();
                rider.AddProducer<ClickEvent>(Topics.RawEvents, p => p.Key = e => e.UserId.ToString());
            },
            (context, k) => k.TopicEndpoint<ClickEvent>(Topics.RawEvents, "gated", e =>
            {
                e.Settings.ConcurrentMessageLimit = 50;
                e.ConfigureConsumer<GatedConsumer>(context);
            }),
            services => services.AddSingleton(received).AddSingleton(gate));

    internal sealed class Gate
    {
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Opened => _open.Task;

        public void Open() => _open.TrySetResult();
    }

    internal sealed class GatedConsumer(Received received, Gate gate) : IConsumer<ClickEvent>
    {
        public async Task Consume(ConsumeContext<ClickEvent> context)
        {
            await gate.Opened;
            received.Add(context);
        }
    }
}
