using System.Text.Json;
using System.Text.Json.Serialization;
using Clickstream.Contracts;
using Clickstream.Kafka.Consuming;
using Clickstream.Kafka.Consuming.Checkpoints;
using Clickstream.Kafka.Consuming.Dispatch;
using Clickstream.Tests.Support;
using MassTransit;
using Microsoft.Extensions.Time.Testing;

namespace Clickstream.Tests.Rider.Parts;

/// <summary>
/// The contract check of a collected batch never rewrites the messages the endpoint received, so whatever throws, the
/// endpoint dead-letters exactly the batch it received, each message once.
/// </summary>
public sealed class CollectedBatchCheckTests
{
    private readonly ReceivedMessages _messages = new();
    private readonly FakeTimeProvider _clock = new();

    [Fact]
    public void The_check_keeps_the_received_messages_as_they_came_and_accepts_the_good_ones_in_order()
    {
        KafkaMessageContext[] received = [Good(0), _messages.Message(1, "not json"), Good(2), _messages.Message(3, "null"), Good(4)];
        var original = received.ToArray();
        var batch = Batch(received, typeof(ClickEvent));

        var rejected = batch.Check(new MessageGate(typeof(ClickEvent)));

        Assert.Equal([1L, 3L], rejected.Select(r => r.Message.Offset));
        Assert.Equal([0L, 2L, 4L], batch.Accepted.Select(m => m.Offset));
        Assert.Equal(original, received);
        Assert.Equal(original, batch.Received);
    }

    [Fact]
    public void An_exception_in_the_contract_check_leaves_the_received_batch_whole()
    {
        KafkaMessageContext[] received = [_messages.Message(0, "not json"), Contract(1, 1), Contract(2, Touchy.Explodes)];
        var original = received.ToArray();
        var batch = Batch(received, typeof(Touchy));

        Assert.Throws<InvalidOperationException>(() => batch.Check(new MessageGate(typeof(Touchy), openEnvelopes: true)));

        Assert.Equal(original, received);
        Assert.Equal(original, batch.Received);
        Assert.Empty(batch.Accepted);
    }

    [Fact]
    public async Task When_the_contract_check_throws_every_message_of_the_batch_is_dead_lettered_once()
    {
        KafkaMessageContext[] received = [_messages.Message(0, "not json"), Contract(1, 1), Contract(2, Touchy.Explodes), Contract(3, 3)];
        var batch = Batch(received, typeof(Touchy));
        // No receive pipeline: the check throws before anything is dispatched.
        var dispatch = new BatchDispatch(new BatchOptions(), new MessageGate(typeof(Touchy), openEnvelopes: true), dispatcher: null!,
            (_, _) => { }, _clock, CancellationToken.None);

        Assert.True(await dispatch.ProcessAsync(batch));

        Assert.Equal([0L, 1L, 2L, 3L], _messages.DeadLetters.Select(d => d.Offset).Order());
        Assert.All(_messages.DeadLetters, d => Assert.Equal("Consumer faulted: event 2 cannot be read", d.Reason));
        dispatch.WaitForWorkers(TimeSpan.FromMinutes(1), CancellationToken.None);
    }

    private KafkaMessageContext Good(long offset) => _messages.Message(offset, JsonSerializer.Serialize(ClickEvents.Create((int)offset)));

    private KafkaMessageContext Contract(long offset, int number) => _messages.Message(offset, $$"""{"number":{{number}}}""");

    private CollectedBatch Batch(KafkaMessageContext[] messages, Type messageType)
    {
        var checkpoint = new PartitionCheckpoint(_clock);
        var entries = messages.Select(m => checkpoint.Track(m.Offset)).ToArray();
        var now = _clock.GetUtcNow().UtcDateTime;
        return new CollectedBatch(BatchContextFactory.For(messageType), messages, entries, now, now, BatchCompletionMode.Forced);
    }

    /// <summary>A contract whose deserialization throws something no contract check expects, for one value.</summary>
    public sealed class Touchy
    {
        public const int Explodes = 2;

        [JsonConstructor]
        public Touchy(int number) =>
            Number = number == Explodes ? throw new InvalidOperationException($"event {number} cannot be read") : number;

        [JsonPropertyName("number")]
        public int Number { get; }
    }
}
