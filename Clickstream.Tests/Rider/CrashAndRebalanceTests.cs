using Clickstream.Tests.Infrastructure;
using Clickstream.Contracts;
using Clickstream.Kafka;
using Clickstream.Kafka.Embedded;
using Clickstream.Kafka.Producing;
using Clickstream.Tests.Kafka;
using Clickstream.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Clickstream.Tests.Rider;

public sealed class CrashAndRebalanceTests
{
    private const int Partitions = 3;

    [Fact]
    public async Task After_a_crash_mid_stream_a_new_instance_delivers_every_message_at_least_once()
    {
        const int count = 30_000;
        const string group = "crash";
        await using var broker = StartBroker();
        var events = ClickEvents.Many(count);
        await ProduceAsync(broker, events);

        var first = new Received();
        var crashed = await StartAsync(broker, group, first);
        await first.WaitForAsync(r => r.Count >= 2_000);
        await crashed.AbortAsync();
        Assert.True(first.Count < count, "The first instance should have been stopped mid-stream.");

        var second = new Received();
        await using (await StartAsync(broker, group, second))
        {
            await second.WaitForAsync(r => Seen(first, second).Count == count);
            await AssertEventuallyCommittedToTheEnd(broker, group);
        }
        Assert.Equal(events.Select(e => e.EventId).ToHashSet(), Seen(first, second));
    }

    [Fact]
    public async Task When_one_of_two_instances_stops_under_load_the_other_takes_over_and_nothing_is_missing()
    {
        const int count = 30_000;
        const string group = "rebalance";
        await using var broker = StartBroker();
        var first = new Received();
        var second = new Received();
        var leaving = await StartAsync(broker, group, first);
        await using var staying = await StartAsync(broker, group, second);
        await WaitUntil(() => leaving.Rider.GetEndpointStates().Single().AssignedPartitions.Count > 0 &&
                              staying.Rider.GetEndpointStates().Single().AssignedPartitions.Count > 0);

        var events = ClickEvents.Many(count);
        await ProduceAsync(broker, events);
        await second.WaitForAsync(r => r.Count >= 1_000 && first.Count >= 1_000);
        await leaving.DisposeAsync();
        Assert.True(Seen(first, second).Count < count, "The first instance should have left under load.");

        await second.WaitForAsync(r => Seen(first, r).Count == count);
        // The missing messages may all have been on the staying instance's own partitions: the takeover can finish after them.
        await WaitUntil(() => staying.Rider.GetEndpointStates().Single().AssignedPartitions.SequenceEqual(Enumerable.Range(0, Partitions)));
        Assert.Equal(events.Select(e => e.EventId).ToHashSet(), Seen(first, second));
        await AssertEventuallyCommittedToTheEnd(broker, group);
    }

    private static HashSet<Guid> Seen(params Received[] instances) =>
        instances.SelectMany(r => r.Messages).Select(m => m.Event.EventId).ToHashSet();

    private static EmbeddedKafkaBroker StartBroker() =>
        EmbeddedKafkaBroker.Start(new() { Topics = { [Topics.RawEvents] = Partitions, [Topics.RawEventsDeadLetter] = 1 } });

    private static async Task ProduceAsync(EmbeddedKafkaBroker broker, List<ClickEvent> events)
    {
        var received = new Received();
        await using var producerHost = await RiderHost.StartAsync(broker.BootstrapServers,
            rider => rider.AddProducer<ClickEvent>(Topics.RawEvents, p => p.Key = e => e.UserId.ToString()),
            (_, _) => { }, s => s.AddSingleton(received));
        await producerHost.GetScoped<ITopicProducer<ClickEvent>>().ProduceManyAsync(events);
    }

    private static Task<RiderHost> StartAsync(EmbeddedKafkaBroker broker, string group, Received received) =>
        RiderHost.StartAsync(broker.BootstrapServers,
            rider => rider.AddConsumer<RecordingConsumer>(),
            (context, k) => k.TopicEndpoint<ClickEvent>(Topics.RawEvents, group, e =>
            {
                // A small in-flight limit keeps the stream going long enough to stop an instance in the middle of it.
                e.Settings.ConcurrentMessageLimit = 50;
                e.ConfigureConsumer<RecordingConsumer>(context);
            }),
            s => s.AddSingleton(received));

    private static async Task AssertEventuallyCommittedToTheEnd(EmbeddedKafkaBroker broker, string group)
    {
        var end = KafkaTestClients.EndOffsets(broker.BootstrapServers, Topics.RawEvents, Partitions);
        await WaitUntil(() =>
        {
            var committed = KafkaTestClients.CommittedOffsets(broker.BootstrapServers, group, Topics.RawEvents, Partitions);
            return end.All(e => committed[e.Key] == e.Value);
        });
    }

    private static Task WaitUntil(Func<bool> condition) =>
        Eventually.HoldsAsync(condition, () => "The condition was not met within the failsafe bound.");
}
