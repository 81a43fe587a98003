using System.Diagnostics.Metrics;
using System.Text.Json;
using Clickstream.Contracts;
using Clickstream.Kafka.Embedded;
using Clickstream.Kafka.Producing;
using Clickstream.Tests.Infrastructure;
using Clickstream.Tests.Kafka;
using Clickstream.Tests.Rider;
using Clickstream.Tests.Support;
using Confluent.Kafka;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Clickstream.Tests.Telemetry;

/// <summary>The rider's instruments (meter <c>Clickstream.Kafka</c>) after known traffic through the embedded broker.</summary>
public sealed class RiderMetricsTests
{
    private const string Meter = "Clickstream.Kafka";
    private const string Destination = "messaging.destination.name";

    [Fact]
    public async Task Produced_consumed_in_flight_paused_lag_and_commits_follow_a_stalled_consumer_and_its_recovery()
    {
        const int count = 120;
        const string group = "metrics-stalled";
        await using var broker = EmbeddedKafkaBroker.Start(new() { Topics = { [Topics.RawEvents] = 3, [Topics.RawEventsDeadLetter] = 1 } });
        var received = new Received();
        var gate = new BackpressureTests.Gate();
        await using var host = await BackpressureTests.StartGatedAsync(broker, received, gate, group);
        var meters = host.Services.GetRequiredService<IMeterFactory>();
        using var sent = new Measured<long>(meters, Meter, "messaging.client.sent.messages");
        using var sendDuration = new Measured<double>(meters, Meter, "messaging.client.operation.duration");
        using var consumed = new Measured<long>(meters, Meter, "messaging.client.consumed.messages");
        using var inFlight = new Measured<long>(meters, Meter, "clickstream.kafka.messages.in_flight");
        using var paused = new Measured<long>(meters, Meter, "clickstream.kafka.partitions.paused");
        using var lag = new Measured<long>(meters, Meter, "clickstream.kafka.partition.lag");
        using var commits = new Measured<long>(meters, Meter, "clickstream.kafka.commits");

        // One user, so one partition: the endpoint receives its 50 from it, and the two others stay empty.
        await host.GetScoped<ITopicProducer<ClickEvent>>().ProduceManyAsync(ClickEvents.Many(count, usersCount: 1));

        // One call, acknowledged: every message counted as sent, its latency recorded once, no error.
        Assert.Equal(count, sent.Sum((Destination, Topics.RawEvents), ("messaging.system", "kafka")));
        Assert.DoesNotContain(sent.All, m => m.Tags.ContainsKey("error.type"));
        Assert.Equal(1, sendDuration.Count((Destination, Topics.RawEvents), ("messaging.operation.type", "send")));

        // The consumer takes nothing: the endpoint holds its 50 in flight, pauses its three partitions, and knows what waits.
        await Eventually.HoldsAsync(() => inFlight.ObservedSum((Destination, Topics.RawEvents)) == 50
                && paused.ObservedSum((Destination, Topics.RawEvents)) == 3
                && LagSum(lag, "committed") == count && LagSum(lag, "position") == count - 50,
            () => $"While stalled: in flight {inFlight.ObservedSum()}, paused {paused.ObservedSum()}, lag {Describe(lag)}");
        Assert.Equal(50, consumed.ObservedSum((Destination, Topics.RawEvents), ("messaging.consumer.group.name", group)));
        var loaded = Assert.Single(lag.Observe(("clickstream.lag.from", "committed")), m => m.Value == count).Tags["messaging.destination.partition.id"];
        Assert.All(consumed.Observe(), m => Assert.Equal(loaded, m.Tags["messaging.destination.partition.id"]));
        Assert.Equal(0, commits.Sum(("outcome", "ok")));

        gate.Open();

        await received.WaitForAsync(r => r.Count == count);
        await Eventually.HoldsAsync(() => inFlight.ObservedSum() == 0 && paused.ObservedSum() == 0
                && LagSum(lag, "committed") == 0 && LagSum(lag, "position") == 0 && lag.Observe().Count == 2 * 3,
            () => $"After recovery: in flight {inFlight.ObservedSum()}, paused {paused.ObservedSum()}, lag {Describe(lag)}");
        Assert.Equal(count, consumed.ObservedSum(("messaging.consumer.group.name", group), ("messaging.destination.partition.id", loaded)));
        Assert.True(commits.Sum((Destination, Topics.RawEvents), ("outcome", "ok")) >= 1);
        Assert.Equal(0, commits.Sum(("outcome", "failed")));
    }

    [Fact]
    public async Task Dead_letters_are_counted_by_reason_class_and_their_sends_on_the_dead_letter_topic()
    {
        const string group = "metrics-dead-letters";
        await using var broker = EmbeddedKafkaBroker.Start(new() { Topics = { [Topics.RawEvents] = 1, [Topics.RawEventsDeadLetter] = 1 } });
        var received = new Received();
        await using var host = await RiderHost.StartAsync(broker.BootstrapServers,
            rider => rider.AddConsumer<FaultingConsumer>(),
            (context, k) => k.TopicEndpoint<ClickEvent>(Topics.RawEvents, group, e => e.ConfigureConsumer<FaultingConsumer>(context)),
            s => s.AddSingleton(received));
        var meters = host.Services.GetRequiredService<IMeterFactory>();
        using var deadLetters = new Measured<long>(meters, Meter, "clickstream.kafka.dead_letters");
        using var sent = new Measured<long>(meters, Meter, "messaging.client.sent.messages");
        using var consumed = new Measured<long>(meters, Meter, "messaging.client.consumed.messages");

        var good = ClickEvents.Many(3);
        var values = new[]
        {
            JsonSerializer.Serialize(good[0]),
            "not json",
            "",
            $$"""{"event_id":12,"user_id":"abc","event_type":"click","page":"/","event_time":"{{ClickEvents.Epoch:O}}"}""",
            JsonSerializer.Serialize(good[1]),
            """{"event_id":"3f1c8a52-7d3e-4d4b-9a55-1a2b3c4d5e6f","page":"/"}""",
            JsonSerializer.Serialize(ClickEvents.Create(99, FaultingConsumer.FaultingUser)),
            JsonSerializer.Serialize(good[2]),
        };
        using (var producer = KafkaTestClients.Producer(broker.BootstrapServers))
        {
            await KafkaTestClients.ProduceAllAsync(producer, Topics.RawEvents, values.Select(v => new Message<string, string> { Key = "k", Value = v }));
        }

        await received.WaitForAsync(r => r.Count == good.Count);
        await Eventually.HoldsAsync(() => deadLetters.Sum() == 5, () => $"Dead letters counted: {deadLetters.Sum()} of 5.");
        Assert.Equal(2, deadLetters.Sum(("reason", "not_json"), (Destination, Topics.RawEvents)));
        Assert.Equal(2, deadLetters.Sum(("reason", "invalid_event")));
        Assert.Equal(1, deadLetters.Sum(("reason", "consumer_fault")));
        Assert.Equal(5, sent.Sum((Destination, Topics.RawEventsDeadLetter)));
        Assert.Equal(values.Length, consumed.ObservedSum((Destination, Topics.RawEvents)));
        Assert.Equal(5, KafkaTestClients.ReadAll(broker.BootstrapServers, Topics.RawEventsDeadLetter, 5).Count);
    }

    private static long LagSum(Measured<long> lag, string from) => lag.ObservedSum(("clickstream.lag.from", from));

    private static string Describe(Measured<long> lag) => string.Join(", ", lag.Observe()
        .Select(m => $"{m.Tags["messaging.destination.partition.id"]}/{m.Tags["clickstream.lag.from"]}={m.Value}"));

    /// <summary>Records every event but those of <see cref="FaultingUser"/>, for which it throws (no retry: dead-lettered at once).</summary>
    internal sealed class FaultingConsumer(Received received) : IConsumer<ClickEvent>
    {
        public const long FaultingUser = 666;

        public Task Consume(ConsumeContext<ClickEvent> context)
        {
            if (context.Message.UserId == FaultingUser)
            {
                throw new InvalidOperationException("This consumer refuses the faulting user's events.");
            }
            received.Add(context);
            return Task.CompletedTask;
        }
    }
}
