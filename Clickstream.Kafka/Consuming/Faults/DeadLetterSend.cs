using Confluent.Kafka;

namespace Clickstream.Kafka.Consuming.Faults;

/// <summary>
/// Sends a received message, unchanged, to the endpoint's dead-letter topic with <paramref name="reason"/> in its
/// headers; completes once the broker has it (<see cref="DeadLetterProducer.SendAsync"/>).
/// </summary>
internal delegate Task DeadLetterSend(ConsumeResult<byte[]?, byte[]?> source, string reason, Exception? exception, CancellationToken cancellationToken);
