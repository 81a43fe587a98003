using System.ComponentModel.DataAnnotations;

namespace Clickstream.Api.Configuration;

/// <summary>How long a request waits for Kafka (section "Api:Publishing").</summary>
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
}
