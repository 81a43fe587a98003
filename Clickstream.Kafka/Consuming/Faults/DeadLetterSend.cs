using Confluent.Kafka;

namespace Clickstream.Kafka.Consuming.Faults;

/// <summary>
/// Sends a received message, unchanged, to the endpoint's dead-letter topic with <paramref name="reason"/> in its
/// headers, counted under <paramref name="reasonClass"/>; completes once the broker has it (<see cref="DeadLetterProducer.SendAsync"/>).
/// </summary>
internal delegate Task DeadLetterSend(ConsumeResult<byte[]?, byte[]?> source, DeadLetterReason reasonClass, string reason, Exception? exception,
    CancellationToken cancellationToken);
