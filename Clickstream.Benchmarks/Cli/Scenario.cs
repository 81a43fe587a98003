namespace Clickstream.Benchmarks.Cli;

public enum Scenario
{
    /// <summary>Concurrent clients POST one event per request to /events.</summary>
    IngestSingle,

    /// <summary>Concurrent clients POST arrays of events to /events/batch.</summary>
    IngestBatch,

    /// <summary>Events preloaded on raw_events, then the consumers start: time until every row is stored.</summary>
    Drain,

    /// <summary>HTTP batches while the consumers run: stored events/s, backlog over time, received→stored delay.</summary>
    EndToEnd,

    /// <summary>
    /// The partitioned table at 60 days: GET /events/{id} against it and against the same rows in a single table, COPY
    /// while the oldest partition is dropped, and the upgrade of a populated single table.
    /// </summary>
    Partitions,
}
