namespace Clickstream.Contracts;

/// <summary>The Kafka topics of the pipeline and the consumer group that stores events.</summary>
public static class Topics
{
    /// <summary>Accepted click events, keyed by user id.</summary>
    public const string RawEvents = "raw_events";

    /// <summary>Events that can never be stored, with the reason in headers.</summary>
    public const string RawEventsDeadLetter = "raw_events.dlq";

    /// <summary>The consumer group of the workers that store events in PostgreSQL.</summary>
    public const string IngestorsGroup = "event_ingestors";
}
