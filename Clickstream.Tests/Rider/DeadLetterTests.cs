using Clickstream.Tests.Infrastructure;
using System.Collections.Concurrent;
using System.Text.Json;
using Clickstream.Contracts;
using Clickstream.Kafka;
using Clickstream.Kafka.Consuming;
using Clickstream.Kafka.Embedded;
using Clickstream.Tests.Kafka;
using Clickstream.Tests.Support;
using Confluent.Kafka;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Clickstream.Tests.Rider;

public sealed class DeadLetterTests
{
    private const string Group = "dead-letter-tests";

    [Fact]
    public async Task Poison_messages_from_a_plain_producer_are_dead_lettered_with_reasons_and_the_good_ones_around_them_are_consumed()
    {
        await using var broker = StartBroker();
        var received = new Received();
        await using var host = await StartAsync(broker, received, retry: null);

        var good = Enumerable.Range(0, 4).Select(i => ClickEvents.Create(i)).ToList();
        string Json(ClickEvent e) => JsonSerializer.Serialize(e);
        var values = new[]
        {
            Json(good[0]),
            "not json",
            Json(good[1]),
            $$"""{"event_id":12,"user_id":"abc","event_type":"click","page":"/","event_time":"{{ClickEvents.Epoch:O}}"}""",
            Json(good[2]),
            """{"event_id":"3f1c8a52-7d3e-4d4b-9a55-1a2b3c4d5e6f","page":"/"}""",
            Json(good[3]),
        };
        using (var producer = KafkaTestClients.Producer(broker.BootstrapServers))
        {
            await KafkaTestClients.ProduceAllAsync(producer, Topics.RawEvents, values.Select(v => new Message<string, string> { Key = "k", Value = v }));
        }

        await received.WaitForAsync(r => r.Count == good.Count);
        Assert.Equal(good.Select(e => e.EventId), received.Messages.Select(m => m.Event.EventId));

        var dead = KafkaTestClients.ReadAll(broker.BootstrapServers, Topics.RawEventsDeadLetter, 3);
        Assert.Equal([1L, 3L, 5L], dead.Select(d => long.Parse(KafkaTestClients.Header(d, DeadLetterHeaders.SourceOffset)!)));
        Assert.Equal([values[1], values[3], values[5]], dead.Select(d => d.Message.Value));
        Assert.All(dead, d =>
        {
            Assert.Contains("not a valid ClickEvent", KafkaTestClients.Header(d, DeadLetterHeaders.Reason));
            Assert.Equal(Topics.RawEvents, KafkaTestClients.Header(d, DeadLetterHeaders.SourceTopic));
            Assert.Equal("0", KafkaTestClients.Header(d, DeadLetterHeaders.SourcePartition));
        });
        await AssertEventuallyCommittedToTheEnd(broker);
    }

    [Fact]
    public async Task A_failing_message_holds_back_its_partition_offset_until_its_retries_are_exhausted_then_it_is_dead_lettered()
    {
        await using var broker = StartBroker();
        var received = new Received();
        var failures = new Failures();
        await using var host = await StartAsync(broker, received, retry: r => r.Interval(5, TimeSpan.FromMilliseconds(600)),
            services => services.AddSingleton(failures));

        var events = ClickEvents.Many(100);
        var poison = events[50] with { UserId = 999_999 };
        events[50] = poison;
        failures.Add(poison.EventId);
        using (var producer = KafkaTestClients.Producer(broker.BootstrapServers))
        {
            await KafkaTestClients.ProduceAllAsync(producer, Topics.RawEvents,
                events.Select(e => new Message<string, string> { Key = e.UserId.ToString(), Value = JsonSerializer.Serialize(e) }));
        }

        // Messages of other keys go on while the failing one is retried...
        await received.WaitForAsync(r => r.Count == 99);
        Assert.True(failures.Attempts(poison.EventId) < 6, "The failing message should still be retrying.");
        await Task.Delay(TimeSpan.FromSeconds(1.2)); // longer than the checkpoint interval
        // ...but the committed offset never passes it.
        var whileFailing = KafkaTestClients.CommittedOffsets(broker.BootstrapServers, Group, Topics.RawEvents, 1)[0];
        Assert.InRange(whileFailing, -1001, 50);

        var dead = Assert.Single(KafkaTestClients.ReadAll(broker.BootstrapServers, Topics.RawEventsDeadLetter, 1));
        Assert.Equal("50", KafkaTestClients.Header(dead, DeadLetterHeaders.SourceOffset));
        Assert.Contains($"Simulated failure for {poison.EventId}", KafkaTestClients.Header(dead, DeadLetterHeaders.Reason));
        Assert.Equal(6, failures.Attempts(poison.EventId));
        Assert.DoesNotContain(received.Messages, m => m.Event.EventId == poison.EventId);
        await AssertEventuallyCommittedToTheEnd(broker);
    }

    [Fact]
    public async Task A_plain_json_event_without_any_MassTransit_header_is_consumed_with_equal_fields()
    {
        await using var broker = StartBroker();
        var received = new Received();
        await using var host = await StartAsync(broker, received, retry: null);

        var eventTime = ClickEvents.Epoch.ToOffset(TimeSpan.FromHours(2)).AddMilliseconds(123);
        var json = $$$"""
            {"event_id":"0192f3a4-5b6c-7d8e-9f01-23456789abcd","user_id":9007199254740993,"event_type":"add_to_cart",
             "page":"https://shop.example.com/p/42?ref=mail","event_time":"{{{eventTime:yyyy-MM-ddTHH:mm:ss.fffzzz}}}",
             "session_id":"sess-ü-1","referrer":"https://example.com/","properties":{"sku":"A-1","qty":2,"tags":["x","y"]}}
            """;
        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = broker.BootstrapServers }).Build())
        {
            await producer.ProduceAsync(Topics.RawEvents, new Message<Null, string> { Value = json });
        }

        await received.WaitForAsync(r => r.Count == 1);
        var (consumed, kafka) = received.Messages.Single();
        Assert.Equal(Guid.Parse("0192f3a4-5b6c-7d8e-9f01-23456789abcd"), consumed.EventId);
        Assert.Equal(9007199254740993L, consumed.UserId);
        Assert.Equal("add_to_cart", consumed.EventType);
        Assert.Equal("https://shop.example.com/p/42?ref=mail", consumed.Page);
        Assert.Equal(eventTime, consumed.EventTime);
        Assert.Equal(TimeSpan.FromHours(2), consumed.EventTime.Offset);
        Assert.Equal("sess-ü-1", consumed.SessionId);
        Assert.Equal("https://example.com/", consumed.Referrer);
        Assert.True(JsonElement.DeepEquals(JsonDocument.Parse("""{"sku":"A-1","qty":2,"tags":["x","y"]}""").RootElement, consumed.Properties!.Value));
        Assert.Null(consumed.ReceivedAt);
        Assert.Null(kafka.Key);
    }

    private static EmbeddedKafkaBroker StartBroker() =>
        EmbeddedKafkaBroker.Start(new() { Topics = { [Topics.RawEvents] = 1, [Topics.RawEventsDeadLetter] = 1 } });

    private static async Task AssertEventuallyCommittedToTheEnd(EmbeddedKafkaBroker broker)
    {
        var end = KafkaTestClients.EndOffsets(broker.BootstrapServers, Topics.RawEvents, 1)[0];
        await Eventually.HoldsAsync(() => KafkaTestClients.CommittedOffsets(broker.BootstrapServers, Group, Topics.RawEvents, 1)[0] == end,
            () => "The group did not commit up to the end offset.");
    }

    private static Task<RiderHost> StartAsync(EmbeddedKafkaBroker broker, Received received, Action<IRetryConfigurator>? retry,
        Action<IServiceCollection>? services = null) =>
        RiderHost.StartAsync(broker.BootstrapServers,
            rider => rider.AddConsumer<FailingConsumer>(),
            (context, k) => k.TopicEndpoint<ClickEvent>(Topics.RawEvents, Group, e =>
            {
                if (retry is not null)
                {
                    e.Endpoint(cfg => cfg.UseMessageRetry(retry));
                }
                e.ConfigureConsumer<FailingConsumer>(context);
            }),
            s =>
            {
                services?.Invoke(s);
                s.AddSingleton(received);
                s.TryAddSingleton<Failures>();
            });

    internal sealed class Failures
    {
        private readonly ConcurrentDictionary<Guid, int> _attempts = new();

        public void Add(Guid eventId) => _attempts[eventId] = 0;

        public int Attempts(Guid eventId) => _attempts.GetValueOrDefault(eventId);

        public bool ShouldFail(Guid eventId) => _attempts.ContainsKey(eventId) && _attempts.AddOrUpdate(eventId, 1, (_, n) => n + 1) > 0;
    }

    internal sealed class FailingConsumer(Received received, Failures failures) : IConsumer<ClickEvent>
    {
        public Task Consume(ConsumeContext<ClickEvent> context)
        {
            if (failures.ShouldFail(context.Message.EventId))
            {
                throw new InvalidOperationException($"Simulated failure for {context.Message.EventId}");
            }
            received.Add(context);
            return Task.CompletedTask;
        }
    }
}
