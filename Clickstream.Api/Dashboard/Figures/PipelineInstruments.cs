namespace Clickstream.Api.Dashboard.Figures;

/// <summary>
/// The instruments the dashboard reads, by the names every reader of the pipeline's metrics shares (the README's
/// metrics list, Prometheus and the Grafana dashboard read the same ones): renaming one here alone blanks a panel.
/// </summary>
internal static class PipelineInstruments
{
    public const string ApiMeter = "Clickstream.Api";
    public const string KafkaMeter = "Clickstream.Kafka";
    public const string ConsumersMeter = "Clickstream.Consumers";

    /// <summary>Events answered 202 (Kafka acknowledged).</summary>
    public const string EventsAccepted = "clickstream.api.events.accepted";

    /// <summary>Events (or requests whose body was never read) refused, by <see cref="ReasonTag"/>.</summary>
    public const string EventsRefused = "clickstream.api.events.refused";

    /// <summary>Per assigned partition: high watermark minus committed offset, or minus position (<see cref="LagFromTag"/>).</summary>
    public const string LagPerPartition = "clickstream.kafka.partition.lag";

    /// <summary>Partitions the consumers paused by backpressure.</summary>
    public const string PartitionsPaused = "clickstream.kafka.partitions.paused";

    /// <summary>Messages written to the dead-letter topic, by <see cref="ReasonTag"/>.</summary>
    public const string DeadLetters = "clickstream.kafka.dead_letters";

    /// <summary>New rows the store inserted.</summary>
    public const string RowsInserted = "clickstream.store.rows.inserted";

    /// <summary>Time to store one batch, in seconds.</summary>
    public const string BatchDuration = "clickstream.store.batch.duration";

    /// <summary>Store attempts retried after a failure.</summary>
    public const string StoreRetries = "clickstream.store.retries";

    /// <summary>Batches currently waiting to retry: a stalled partition shows as more than 0.</summary>
    public const string Stalled = "clickstream.store.stalled";

    public const string ReasonTag = "reason";
    public const string TopicTag = "messaging.destination.name";
    public const string GroupTag = "messaging.consumer.group.name";
    public const string PartitionTag = "messaging.destination.partition.id";
    public const string LagFromTag = "clickstream.lag.from";
    public const string LagFromCommitted = "committed";
    public const string LagFromPosition = "position";
}
