using Clickstream.Contracts;
using Clickstream.Kafka.Embedded;
using Clickstream.Kafka.Producing;
using Clickstream.Tests.Infrastructure;
using Clickstream.Tests.Kafka;
using Clickstream.Tests.Support;

namespace Clickstream.Tests.Rider;

/// <summary>
/// librdkafka keeps an application's pause on a partition across unassign and assign. A partition the endpoint paused
/// for back-pressure and got back from a rebalance must fetch again once the endpoint's in-flight work allows it.
/// </summary>
public sealed class RebalanceWhilePausedTests
{
    private const string Group = "paused-rebalance";
    private const int Partitions = 3;

    [Fact]
    public async Task Partitions_paused_for_back_pressure_fetch_again_after_rebalances_hand_them_back()
    {
        await using var broker = EmbeddedKafkaBroker.Start(new() { Topics = { [Topics.RawEvents] = Partitions, [Topics.RawEventsDeadLetter] = 1 } });
        var first = new Received();
        var gate = new BackpressureTests.Gate();
        // A short drain: the rebalance must not wait for the stalled messages (they are delivered again to the new owner).
        await using var staying = await BackpressureTests.StartGatedAsync(broker, first, gate, Group, s => s.DrainTimeout = TimeSpan.FromSeconds(2));
        await WaitUntil(() => staying.Rider.GetEndpointStates().Single().AssignedPartitions.Count == Partitions);

        var before = ClickEvents.Many(3_000);
        await staying.GetScoped<ITopicProducer<ClickEvent>>().ProduceManyAsync(before);
        await WaitUntil(() => staying.Rider.GetEndpointStates().Single().PausedPartitions.Count == Partitions);

        // A second member joins, takes some partitions, and leaves again: the first gets every partition back.
        var second = new Received();
        var open = new BackpressureTests.Gate();
        open.Open();
        var joining = await BackpressureTests.StartGatedAsync(broker, second, open, Group, s => s.DrainTimeout = TimeSpan.FromSeconds(2));
        await WaitUntil(() => joining.Rider.GetEndpointStates().Single().AssignedPartitions.Count > 0
                              && staying.Rider.GetEndpointStates().Single().AssignedPartitions.Count is > 0 and < Partitions);
        gate.Open();
        await joining.DisposeAsync();
        await WaitUntil(() => staying.Rider.GetEndpointStates().Single().AssignedPartitions.Count == Partitions);

        // Produced once the first holds every partition again: every one of them must be fetched.
        var after = ClickEvents.Many(3_000);
        await staying.GetScoped<ITopicProducer<ClickEvent>>().ProduceManyAsync(after);

        var all = before.Concat(after).Select(e => e.EventId).ToHashSet();
        await first.WaitForAsync(r => r.Messages.Concat(second.Messages).Select(m => m.Event.EventId).ToHashSet().SetEquals(all));
        var end = KafkaTestClients.EndOffsets(broker.BootstrapServers, Topics.RawEvents, Partitions);
        await WaitUntil(() => KafkaTestClients.CommittedOffsets(broker.BootstrapServers, Group, Topics.RawEvents, Partitions)
            .All(c => c.Value == end[c.Key]));
        Assert.Empty(staying.Rider.GetEndpointStates().Single().PausedPartitions);
    }

    private static Task WaitUntil(Func<bool> condition) =>
        Eventually.HoldsAsync(condition, () => "The condition was not met within the failsafe bound.");
}
