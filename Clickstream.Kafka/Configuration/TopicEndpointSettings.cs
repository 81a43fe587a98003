using Confluent.Kafka;

namespace Clickstream.Kafka.Configuration;

/// <summary>How a topic endpoint reads, limits and checkpoints. Every setting has a safe default.</summary>
public sealed class TopicEndpointSettings
{
    internal TopicEndpointSettings(string topic, string groupId)
    {
        Topic = topic;
        GroupId = groupId;
        DeadLetterTopic = topic + ".dlq";
    }

    public string Topic { get; }

    public string GroupId { get; }

    /// <summary>
    /// Most messages received and not yet completed, over all partitions (this bounds memory: fetching pauses at the
    /// limit). Raised automatically to what the endpoint's batch consumers need to fill their batches
    /// (MessageLimit × ConcurrencyLimit), with a log line. Default 1,000.
    /// </summary>
    public int ConcurrentMessageLimit { get; set; } = 1000;

    /// <summary>
    /// Whether a (non-batch) consumer gets the messages of one key one after the other, in partition order (default
    /// true); different keys always run in parallel. Batch consumers receive every message at once, sorted by
    /// partition order inside each batch, so their batches fill even when keys repeat.
    /// </summary>
    public bool PreserveKeyOrder { get; set; } = true;

    /// <summary>Commit at least this often while messages complete. Default 1 s.</summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Commit after this many messages completed, sooner than <see cref="CheckpointInterval"/>. Default 5,000.</summary>
    public int CheckpointMessageCount { get; set; } = 5000;

    /// <summary>Where a new consumer group starts. Default: earliest, so nothing produced before it joined is skipped.</summary>
    public AutoOffsetReset AutoOffsetReset { get; set; } = AutoOffsetReset.Earliest;

    /// <summary>Where messages that can never be processed go, with the reason in headers. Default: "&lt;topic&gt;.dlq".</summary>
    public string DeadLetterTopic { get; set; }

    /// <summary>
    /// How long a revoked partition waits for its in-flight messages before committing, and the bound of a whole stop
    /// (drain, commit, leaving the group). Default 30 s.
    /// </summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A partition with lag (messages received or available, not committed) whose commits have not moved for this long
    /// is stalled: the rider's readiness turns unhealthy and names it. Must exceed <see cref="CheckpointInterval"/> and
    /// a batch consumer's time limit, which delay commits in normal work. Default 2 min.
    /// </summary>
    public TimeSpan StallAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// A faster reader of the message type's plain JSON for the contract check (<see cref="Serialization.WireReader"/>);
    /// what it declines System.Text.Json reads. Default none: System.Text.Json reads every value.
    /// </summary>
    public Serialization.WireReader? Reader { get; set; }

    /// <summary>Create the topic and its dead-letter topic at start when the cluster lacks them. Default true.</summary>
    public bool CreateTopicsIfMissing { get; set; } = true;

    /// <summary>Partitions for topics created at start. Default 3.</summary>
    public int Partitions { get; set; } = 3;

    /// <summary>Replication factor for topics created at start. Default 1 (raise it on a real cluster).</summary>
    public short ReplicationFactor { get; set; } = 1;

    /// <summary>Any librdkafka consumer setting for this endpoint only (passed through).</summary>
    public Dictionary<string, string> ConsumerSettings { get; } = new(StringComparer.Ordinal);

    internal IEnumerable<string> Validate()
    {
        if (ConcurrentMessageLimit < 1)
            yield return $"ConcurrentMessageLimit must be at least 1 (got {ConcurrentMessageLimit}).";
        if (CheckpointInterval <= TimeSpan.Zero)
            yield return $"CheckpointInterval must be positive (got {CheckpointInterval}).";
        if (CheckpointMessageCount < 1)
            yield return $"CheckpointMessageCount must be at least 1 (got {CheckpointMessageCount}).";
        if (string.IsNullOrWhiteSpace(DeadLetterTopic) || DeadLetterTopic == Topic)
            yield return $"DeadLetterTopic must be set and differ from the topic (got '{DeadLetterTopic}').";
        if (DrainTimeout <= TimeSpan.Zero)
            yield return $"DrainTimeout must be positive (got {DrainTimeout}).";
        if (StallAfter <= CheckpointInterval)
            yield return $"StallAfter ({StallAfter}) must exceed CheckpointInterval ({CheckpointInterval}): a partition would look stalled between two commits.";
        if (Partitions < 1)
            yield return $"Partitions must be at least 1 (got {Partitions}).";
    }
}
