using System.ComponentModel.DataAnnotations;

namespace Clickstream.Api.Configuration;

/// <summary>How long a request waits for Kafka, and how far the consumers may fall behind (section "Api:Publishing").</summary>
public sealed class PublishOptions
{
    public const string Section = "Api:Publishing";

    /// <summary>
    /// The longest a request waits for the broker's acknowledgement before answering 503. Also the producer's
    /// <c>message.timeout.ms</c>, so an event the client was told to retry does not linger in the producer. Default 5 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The <c>Retry-After</c> sent with a 503 (whole seconds, rounded up). Default 5 s.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// While the consumers in this process are more than this many bytes behind on a partition of the event topic, a
    /// request waits for them (at most <see cref="Timeout"/>) and is then refused (503, <c>Retry-After: 1</c>). Off (null) by default; the standalone run sets 2 MiB, because its
    /// embedded broker keeps only about 5 MiB per partition and drops the oldest events beyond that. Only consumers in
    /// the same process are counted, so set it only where the API hosts the consumers.
    /// </summary>
    [Range(64 * 1024, long.MaxValue)]
    public long? MaxConsumerLagBytes { get; set; }

    /// <summary>
    /// After a fatal error of the Kafka producer (the idempotent producer lost its sequence with the broker), how long
    /// requests get 503 and readiness reports the broken producer before a new producer replaces it. Default 1 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan ProducerRebuildDelay { get; set; } = TimeSpan.FromSeconds(1);
}
