namespace Clickstream.Kafka.Producing;

/// <summary>
/// A producer the rider owns and closes at stop. Deliberately not IDisposable: producers reach services through
/// dependency injection, and a DI scope must never dispose the shared client.
/// </summary>
internal interface IOwnedProducer
{
    /// <summary>Waits (bounded) for messages still in flight, then releases the client.</summary>
    void Close(TimeSpan flushTimeout);

    /// <summary>Whether it can produce now, and its fatal errors so far.</summary>
    KafkaProducerState State { get; }
}
