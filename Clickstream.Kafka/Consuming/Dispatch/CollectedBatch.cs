using MassTransit;
using MassTransit.Batching;
using MassTransit.Context;

using Clickstream.Kafka.Consuming.Checkpoints;
using Clickstream.Kafka.Consuming.Faults;

namespace Clickstream.Kafka.Consuming.Dispatch;

/// <summary>
/// A batch a topic endpoint collected for its batch consumer. It goes through the endpoint's receive pipeline as one
/// message: the receive context carries it as a payload, and <see cref="CheckedJsonDeserializer"/> turns it into the
/// consume context of a <see cref="Batch{T}"/> whose elements each know their own Kafka message.
/// </summary>
/// <remarks>
/// <see cref="Received"/> never changes: whatever happens to the batch (a rejection, a fault, an exception in the
/// contract check itself), the endpoint accounts for exactly the messages it received. The check makes a new array.
/// </remarks>
internal sealed class CollectedBatch(
    IBatchContextFactory contexts,
    KafkaMessageContext[] messages,
    PartitionCheckpoint.Entry[] entries,
    DateTime firstReceived,
    DateTime lastReceived,
    BatchCompletionMode mode)
{
    /// <summary>Every message of the batch, in receive order.</summary>
    public IReadOnlyList<KafkaMessageContext> Received { get; } = Array.AsReadOnly(messages);

    /// <summary>The messages to consume: after <see cref="Check"/>, those that passed it; empty before.</summary>
    public KafkaMessageContext[] Accepted { get; private set; } = [];

    /// <summary>The checkpoint entries of <see cref="Received"/>, completed together when the batch is done.</summary>
    public PartitionCheckpoint.Entry[] Entries { get; } = entries;

    /// <summary>
    /// Runs the contract check on every message: those that fail it are returned with the reason, the others (with
    /// their deserialized value) become <see cref="Accepted"/>.
    /// </summary>
    public IReadOnlyList<Rejection> Check(MessageGate gate)
    {
        List<Rejection>? rejected = null;
        var accepted = new KafkaMessageContext[messages.Length];
        var count = 0;
        foreach (var message in messages)
        {
            if (gate.Check(message.Result.Message, out var value, out var reason) is { } problem)
            {
                (rejected ??= []).Add(new Rejection(message, problem, reason));
                continue;
            }
            message.Value = value;
            accepted[count++] = message;
        }
        Accepted = count == accepted.Length ? accepted : accepted[..count];
        return rejected ?? [];
    }

    public ConsumeContext CreateConsumeContext(ReceiveContext receiveContext) =>
        contexts.Create(receiveContext, Accepted, firstReceived, lastReceived, mode);
}

/// <summary>Builds the consume context of a collected batch for the endpoint's message type.</summary>
internal interface IBatchContextFactory
{
    ConsumeContext Create(ReceiveContext receiveContext, KafkaMessageContext[] messages, DateTime firstReceived, DateTime lastReceived,
        BatchCompletionMode mode);
}

internal static class BatchContextFactory
{
    public static IBatchContextFactory For(Type messageType) =>
        (IBatchContextFactory)Activator.CreateInstance(typeof(BatchContextFactory<>).MakeGenericType(messageType))!;
}

internal sealed class BatchContextFactory<TMessage> : IBatchContextFactory
    where TMessage : class
{
    public ConsumeContext Create(ReceiveContext receiveContext, KafkaMessageContext[] messages, DateTime firstReceived, DateTime lastReceived,
        BatchCompletionMode mode)
    {
        // The elements need the batch's consume context as their parent, and that context needs the batch: the
        // batch is made over an array that is filled right after.
        var elements = new ConsumeContext<TMessage>[messages.Length];
        var batch = new MessageBatch<TMessage>(firstReceived, lastReceived, mode, elements);
        var context = CheckedJsonDeserializer.CreateConsumeContext(receiveContext, batch);
        for (var i = 0; i < messages.Length; i++)
        {
            elements[i] = new BatchElementContext<TMessage>(context, (TMessage)messages[i].Value!, messages[i]);
        }
        return context;
    }
}

/// <summary>One message of a collected batch: its deserialized value and its Kafka coordinates (see <see cref="KafkaConsumeContextExtensions"/>).</summary>
internal sealed class BatchElementContext<TMessage>(ConsumeContext batch, TMessage message, KafkaMessageContext kafka)
    : MessageConsumeContext<TMessage>(batch, message), IKafkaBatchElement
    where TMessage : class
{
    public KafkaMessageContext Kafka { get; } = kafka;
}

/// <summary>An element of a batch the topic endpoint collected: its Kafka message is its own, not the batch's.</summary>
internal interface IKafkaBatchElement
{
    KafkaMessageContext Kafka { get; }
}
