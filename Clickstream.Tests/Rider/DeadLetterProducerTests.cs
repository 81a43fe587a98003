using System.Text;
using System.Text.Json;
using Clickstream.Contracts;
using Clickstream.Kafka.Consuming;
using Clickstream.Kafka.Embedded;
using Clickstream.Tests.Infrastructure;
using Clickstream.Tests.Kafka;
using Clickstream.Tests.Support;
using Confluent.Kafka;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Clickstream.Kafka;

namespace Clickstream.Tests.Rider;

/// <summary>
/// The dead-letter producer never stalls a partition for a refusal it can answer: a dead letter the dead-letter topic
/// refuses for good (too large) is written truncated, and a producer broken by a fatal error is rebuilt.
/// </summary>
public sealed class DeadLetterProducerTests
{
    private const string Group = "dead-letter-producer-tests";
    private const int OriginalSize = 1_000_000;

    [Fact]
    public async Task A_1_MB_poison_message_is_dead_lettered_truncated_with_its_original_size_and_the_partition_moves_on()
    {
        await using var broker = EmbeddedKafkaBroker.Start(new() { Topics = { [Topics.RawEvents] = 1, [Topics.RawEventsDeadLetter] = 1 } });
        var received = new Received();
        await using var host = await RiderHost.StartAsync(broker.BootstrapServers,
            rider => rider.AddConsumer<RecordingConsumer>(),
            (context, k) => k.TopicEndpoint<ClickEvent>(Topics.RawEvents, Group, e => e.ConfigureConsumer<RecordingConsumer>(context)),
            services => services.AddSingleton(received));

        var before = ClickEvents.Create(0, userId: 7);
        var after = ClickEvents.Create(1, userId: 7);
        // Not JSON, and as large as a producer allowed to send it makes it: with the dead-letter headers added it is
        // past the dead-letter producer's message.max.bytes (librdkafka's default, 1,000,000).
        var poison = new string('x', OriginalSize);
        using (var producer = KafkaTestClients.Producer(broker.BootstrapServers, c => c.MessageMaxBytes = 2 * OriginalSize))
        {
            await KafkaTestClients.ProduceAllAsync(producer, Topics.RawEvents,
            [
                new Message<string, string> { Key = "7", Value = JsonSerializer.Serialize(before) },
                new Message<string, string> { Key = "7", Value = poison },
                new Message<string, string> { Key = "7", Value = JsonSerializer.Serialize(after) },
            ]);
        }

        await received.WaitForAsync(r => r.Count == 2);
        Assert.Equal([before.EventId, after.EventId], received.Messages.Select(m => m.Event.EventId));

        var dead = Assert.Single(KafkaTestClients.ReadAll(broker.BootstrapServers, Topics.RawEventsDeadLetter, 1, TimeSpan.FromMinutes(2)));
        Assert.Equal("true", KafkaTestClients.Header(dead, DeadLetterHeaders.Truncated));
        Assert.Equal(OriginalSize.ToString(), KafkaTestClients.Header(dead, DeadLetterHeaders.OriginalSize));
        Assert.Contains("not a valid ClickEvent", KafkaTestClients.Header(dead, DeadLetterHeaders.Reason));
        Assert.Equal(Topics.RawEvents, KafkaTestClients.Header(dead, DeadLetterHeaders.SourceTopic));
        Assert.Equal("0", KafkaTestClients.Header(dead, DeadLetterHeaders.SourcePartition));
        Assert.Equal("1", KafkaTestClients.Header(dead, DeadLetterHeaders.SourceOffset));
        Assert.Equal("7", dead.Message.Key);
        var value = dead.Message.Value ?? "";
        Assert.InRange(Encoding.UTF8.GetByteCount(value), 1, OriginalSize - 1);
        Assert.True(poison.StartsWith(value, StringComparison.Ordinal), "The truncated value is not the original's beginning.");

        var end = KafkaTestClients.EndOffsets(broker.BootstrapServers, Topics.RawEvents, 1)[0];
        await Eventually.HoldsAsync(() => KafkaTestClients.CommittedOffsets(broker.BootstrapServers, Group, Topics.RawEvents, 1)[0] == end,
            () => "The group did not commit past the oversized dead letter.");
    }

    [Fact]
    public async Task A_dead_letter_producer_broken_by_a_fatal_error_is_rebuilt_reported_and_the_dead_letter_is_written_once()
    {
        await using var broker = EmbeddedKafkaBroker.Start(new() { Topics = { [Topics.RawEvents] = 1, [Topics.RawEventsDeadLetter] = 1 } });
        var gate = new FailureGate();
        await using var host = await RiderHost.StartAsync(broker.BootstrapServers,
            rider => rider.AddConsumer<GatedFailingConsumer>(),
            (context, k) => k.TopicEndpoint<ClickEvent>(Topics.RawEvents, Group, e => e.ConfigureConsumer<GatedFailingConsumer>(context)),
            services =>
            {
                services.AddSingleton(gate);
                services.AddHealthChecks().AddKafkaRider();
            });

        var poison = ClickEvents.Create(0, userId: 7);
        using (var producer = KafkaTestClients.Producer(broker.BootstrapServers))
        {
            await KafkaTestClients.ProduceAllAsync(producer, Topics.RawEvents, [new Message<string, string> { Key = "7", Value = JsonSerializer.Serialize(poison) }]);
        }
        // The consumer holds the message until the next produce request (the dead letter's) is set to fail with
        // OUT_OF_ORDER_SEQUENCE_NUMBER: a fatal error for an idempotent producer whose first request it is.
        await gate.Entered.Task.WaitAsync(Eventually.DefaultFailsafe);
        broker.PushRequestErrors(KafkaApiKey.Produce, ErrorCode.OutOfOrderSequenceNumber);
        gate.Open.TrySetResult();

        var dead = Assert.Single(KafkaTestClients.ReadAll(broker.BootstrapServers, Topics.RawEventsDeadLetter, 2, TimeSpan.FromSeconds(10)));
        Assert.Equal("0", KafkaTestClients.Header(dead, DeadLetterHeaders.SourceOffset));
        Assert.Contains("Simulated failure", KafkaTestClients.Header(dead, DeadLetterHeaders.Reason));
        await Eventually.HoldsAsync(() => KafkaTestClients.CommittedOffsets(broker.BootstrapServers, Group, Topics.RawEvents, 1)[0] == 1,
            () => "The group did not commit past the dead letter.");

        var deadLetterProducer = Assert.Single(host.Rider.GetProducerStates(), p => p.Name.StartsWith(Topics.RawEventsDeadLetter, StringComparison.Ordinal));
        Assert.False(deadLetterProducer.IsBroken);
        Assert.Equal(1, deadLetterProducer.Rebuilds);
        Assert.NotNull(deadLetterProducer.LastFatalError);
        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        var producers = report.Entries["kafka-producers"];
        Assert.Equal(HealthStatus.Healthy, producers.Status);
        Assert.Contains("rebuilt 1 time(s)", producers.Description);
    }

    [Fact]
    public async Task A_dead_letter_the_broker_refuses_for_now_is_retried_until_it_is_written_once_and_the_offset_waits_for_it()
    {
        await using var broker = EmbeddedKafkaBroker.Start(new() { Topics = { [Topics.RawEvents] = 1, [Topics.RawEventsDeadLetter] = 1 } });
        var gate = new FailureGate();
        await using var host = await RiderHost.StartAsync(broker.BootstrapServers,
            rider => rider.AddConsumer<GatedFailingConsumer>(),
            (context, k) => k.TopicEndpoint<ClickEvent>(Topics.RawEvents, Group, e => e.ConfigureConsumer<GatedFailingConsumer>(context)),
            services => services.AddSingleton(gate));

        var poison = ClickEvents.Create(0, userId: 7);
        using (var producer = KafkaTestClients.Producer(broker.BootstrapServers))
        {
            await KafkaTestClients.ProduceAllAsync(producer, Topics.RawEvents, [new Message<string, string> { Key = "7", Value = JsonSerializer.Serialize(poison) }]);
        }
        await gate.Entered.Task.WaitAsync(Eventually.DefaultFailsafe);
        // Refusals librdkafka does not retry by itself: the dead-letter producer's own backoff must.
        broker.PushRequestErrors(KafkaApiKey.Produce, ErrorCode.TopicAuthorizationFailed, ErrorCode.TopicAuthorizationFailed);
        gate.Open.TrySetResult();

        var dead = Assert.Single(KafkaTestClients.ReadAll(broker.BootstrapServers, Topics.RawEventsDeadLetter, 2, TimeSpan.FromSeconds(10)));
        Assert.Equal("0", KafkaTestClients.Header(dead, DeadLetterHeaders.SourceOffset));
        Assert.Null(KafkaTestClients.Header(dead, DeadLetterHeaders.Truncated));
        await Eventually.HoldsAsync(() => KafkaTestClients.CommittedOffsets(broker.BootstrapServers, Group, Topics.RawEvents, 1)[0] == 1,
            () => "The group did not commit past the dead letter.");
    }

    internal sealed class FailureGate
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Open { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    internal sealed class GatedFailingConsumer(FailureGate gate) : IConsumer<ClickEvent>
    {
        public async Task Consume(ConsumeContext<ClickEvent> context)
        {
            gate.Entered.TrySetResult();
            await gate.Open.Task;
            throw new InvalidOperationException($"Simulated failure for {context.Message.EventId}");
        }
    }
}
