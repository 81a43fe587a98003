namespace Clickstream.Kafka.Producing;

/// <summary>A producer of the rider (a topic producer or a topic endpoint's dead-letter producer) as health checks see it.</summary>
/// <param name="Name">What it produces to, e.g. <c>raw_events</c> or <c>raw_events.dlq (dead letters of kafka-raw_events-event_ingestors)</c>.</param>
/// <param name="IsBroken">
/// librdkafka raised a fatal error and the producer has not been rebuilt yet: every produce fails meanwhile.
/// </param>
/// <param name="LastFatalError">The last fatal error's code and reason, kept after the rebuild; null when there was none.</param>
/// <param name="LastFatalAt">When the last fatal error was raised.</param>
/// <param name="Rebuilds">How many times the producer was replaced by a new one after a fatal error.</param>
/// <param name="RebuildAt">While broken: when the new producer takes over.</param>
public sealed record KafkaProducerState(string Name, bool IsBroken, string? LastFatalError, DateTimeOffset? LastFatalAt, int Rebuilds,
    DateTimeOffset? RebuildAt = null);
