using Clickstream.Contracts;
using System.Text.Json;
using Clickstream.Kafka;
using Clickstream.Kafka.Backlog;
using Clickstream.Kafka.Serialization;
using Clickstream.Kafka.Embedded;
using Clickstream.Kafka.Producing;
using Clickstream.Tests.Infrastructure;
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
        await Eventually.HoldsAsync(() => host.Rider.GetEndpointStates().Single() is { InFlight: 50, PausedPartitions: [0, 1, 2] },
            () => $"The endpoint did not pause its partitions: {host.Rider.GetEndpointStates().Single()}");
        Assert.Equal(0, received.Count);
        gate.Open();

        await received.WaitForAsync(r => r.Messages.Select(m => m.Event.EventId).Distinct().Count() == count);
        Assert.Equal(events.Select(e => e.EventId).ToHashSet(), received.Messages.Select(m => m.Event.EventId).ToHashSet());
        await Eventually.HoldsAsync(() => host.Rider.GetEndpointStates().Single().PausedPartitions.Count == 0,
            () => "The endpoint did not resume its partitions.");
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
    internal static Task<RiderHost> StartGatedAsync(EmbeddedKafkaBroker broker, Received received, Gate gate, string group = "gated",
        Action<Clickstream.Kafka.Configuration.TopicEndpointSettings>? settings = null, Action<IServiceCollection>? services = null) =>
        RiderHost.StartAsync(broker.BootstrapServers,
            rider =>
            {
                rider.AddConsumer<GatedConsumer>();
                rider.AddProducer<ClickEvent>(Topics.RawEvents, p => p.Key = e => e.UserId.ToString());
            },
            (context, k) => k.TopicEndpoint<ClickEvent>(Topics.RawEvents, group, e =>
            {
                e.Settings.ConcurrentMessageLimit = 50;
                settings?.Invoke(e.Settings);
                e.ConfigureConsumer<GatedConsumer>(context);
            }),
            s =>
            {
                s.AddSingleton(received).AddSingleton(gate);
                services?.Invoke(s);
            });

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
