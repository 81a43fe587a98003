namespace Clickstream.Api.Publishing;

/// <summary>
/// Whether Kafka holds the events; when not, a title and reason for the client, when to try again (null: the
/// configured <c>Api:Publishing:RetryAfter</c>), and the cause as the metrics count it.
/// </summary>
internal readonly record struct PublishOutcome(bool Acknowledged, string? Title = null, string? Reason = null, TimeSpan? RetryAfter = null,
    UnavailableCause Cause = default)
{
    public static PublishOutcome Acked { get; } = new(true);

    public static PublishOutcome Unavailable(string reason, UnavailableCause cause) => new(false, "Kafka is not available.", reason, Cause: cause);

    public static PublishOutcome Behind(string reason, TimeSpan retryAfter) =>
        new(false, "The pipeline is behind.", reason, retryAfter, UnavailableCause.ConsumerLag);
}
