namespace Clickstream.Kafka.Producing;

/// <summary>Produces messages of one type to one Kafka topic, as plain JSON, keyed by the configured selector.</summary>
public interface ITopicProducer<in TMessage>
    where TMessage : class
{
    /// <summary>The topic messages go to.</summary>
    string Topic { get; }

    /// <summary>
    /// Produces one message; completes when the broker acknowledged it (acks=all by default), or throws
    /// <see cref="Confluent.Kafka.ProduceException{TKey,TValue}"/> when it could not be delivered (queue full,
    /// broker unreachable until the message timeout).
    /// </summary>
    Task ProduceAsync(TMessage message, IReadOnlyDictionary<string, string>? headers = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Produces many messages at once; completes when the broker acknowledged all of them, or throws the first
    /// failure once every message has an outcome.
    /// </summary>
    Task ProduceManyAsync(IReadOnlyCollection<TMessage> messages, CancellationToken cancellationToken = default);

    /// <summary>
    /// <see cref="ProduceManyAsync(IReadOnlyCollection{TMessage}, CancellationToken)"/> with each message's value already
    /// serialized (<see cref="Serialization.WireJson.Serialize{T}"/>), <paramref name="values"/>[i] that of
    /// <paramref name="messages"/>[i], for a caller that needed their sizes first: the values are sent as they are.
    /// </summary>
    Task ProduceManyAsync(IReadOnlyList<TMessage> messages, IReadOnlyList<byte[]> values, CancellationToken cancellationToken = default);
}
