using System.Diagnostics;
using System.Text.Json;
using Clickstream.Contracts;
using Clickstream.Kafka.Embedded;
using Clickstream.Tests.Infrastructure;
using Clickstream.Tests.Kafka;
using Clickstream.Tests.Support;
using Confluent.Kafka;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Clickstream.Tests.Rider;

/// <summary>
/// A stop is bounded: by one DrainTimeout when it is graceful, by the host's shutdown timeout when that is shorter.
/// What did not finish is not committed (it is delivered again); everything finished before it is.
/// </summary>
public sealed class StopBoundsTests
{
    private const int Count = 40;
    private const int Unfinished = 20;

    [Fact]
    public async Task A_stop_with_a_consumer_that_never_finishes_ends_within_one_drain_timeout_and_commits_up_to_the_unfinished_message()
    {
        var drainTimeout = TimeSpan.FromSeconds(10);
        await using var broker = StartBroker();
        var (host, received) = await StartWithHangingMessageAsync(broker, "stop-drain", drainTimeout, shutdownTimeout: TimeSpan.FromMinutes(2));

        var stop = Stopwatch.StartNew();
        await host.DisposeAsync();
        stop.Stop();

        // Before the fix a stop drained twice (the stop, then the revocation Close brings): two drain timeouts at least.
        Assert.True(stop.Elapsed < drainTimeout * 2, $"The stop took {stop.Elapsed}; one drain timeout is {drainTimeout}.");
        Assert.Equal(Unfinished, Committed(broker, "stop-drain"));
        Assert.Equal(Count - 1, received.Count);
    }

    [Fact]
    public async Task A_stop_past_the_hosts_shutdown_timeout_aborts_the_drain_and_commits_nothing_past_the_unfinished_message()
    {
        var drainTimeout = TimeSpan.FromMinutes(2);
        await using var broker = StartBroker();
        var (host, _) = await StartWithHangingMessageAsync(broker, "stop-abort", drainTimeout, shutdownTimeout: TimeSpan.FromSeconds(3));

        var stop = Stopwatch.StartNew();
        await host.DisposeAsync();
        stop.Stop();

        // The rider's StopAsync gets the host's token: when the shutdown timeout runs out, the drain is abandoned.
        Assert.True(stop.Elapsed < TimeSpan.FromMinutes(1), $"The stop took {stop.Elapsed}; the host gave it 3 s (the drain timeout is {drainTimeout}).");
        Assert.Equal(Unfinished, Committed(broker, "stop-abort"));
    }

    private static EmbeddedKafkaBroker StartBroker() =>
        EmbeddedKafkaBroker.Start(new() { Topics = { [Topics.RawEvents] = 1, [Topics.RawEventsDeadLetter] = 1 } });

    private static long Committed(EmbeddedKafkaBroker broker, string group) =>
        KafkaTestClients.CommittedOffsets(broker.BootstrapServers, group, Topics.RawEvents, 1)[0];

    /// <summary>Every message but one is consumed; the one at <see cref="Unfinished"/> never finishes, whatever is canceled.</summary>
    private static async Task<(RiderHost Host, Received Received)> StartWithHangingMessageAsync(EmbeddedKafkaBroker broker, string group,
        TimeSpan drainTimeout, TimeSpan shutdownTimeout)
    {
        var events = ClickEvents.Many(Count);
        using (var producer = KafkaTestClients.Producer(broker.BootstrapServers))
        {
            // One key per event: the hanging one holds back no other message, only the offsets after it.
            await KafkaTestClients.ProduceAllAsync(producer, Topics.RawEvents,
                events.Select((e, i) => new Message<string, string> { Key = $"user-{i}", Value = JsonSerializer.Serialize(e) }));
        }
        var received = new Received();
        var hang = new Hang(events[Unfinished].EventId);
        var host = await RiderHost.StartAsync(broker.BootstrapServers,
            rider => rider.AddConsumer<HangingConsumer>(),
            (context, k) => k.TopicEndpoint<ClickEvent>(Topics.RawEvents, group, e =>
            {
                e.Settings.DrainTimeout = drainTimeout;
                e.ConfigureConsumer<HangingConsumer>(context);
            }),
            s => s.AddSingleton(received).AddSingleton(hang),
            shutdownTimeout);
        await received.WaitForAsync(r => r.Count == Count - 1);
        await hang.Reached.WaitAsync(TimeSpan.FromMinutes(1));
        await Eventually.HoldsAsync(() => Committed(broker, group) == Unfinished, () => $"The finished prefix was not committed ({Committed(broker, group)}).");
        return (host, received);
    }

    internal sealed class Hang(Guid eventId)
    {
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _never = new();

        public Task Reached => _reached.Task;

        public Task HoldAsync(ClickEvent clickEvent)
        {
            if (clickEvent.EventId != eventId)
            {
                return Task.CompletedTask;
            }
            _reached.TrySetResult();
            return _never.Task; // ignores cancellation on purpose: a consumer stuck for good
        }
    }

    internal sealed class HangingConsumer(Received received, Hang hang) : IConsumer<ClickEvent>
    {
        public async Task Consume(ConsumeContext<ClickEvent> context)
        {
            await hang.HoldAsync(context.Message);
            received.Add(context);
        }
    }
}
