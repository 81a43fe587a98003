namespace Clickstream.Api.Publishing;

/// <summary>Whether Kafka holds the events; when not, why, in words for the client.</summary>
internal readonly record struct PublishOutcome(bool Acknowledged, string? Reason)
{
    public static PublishOutcome Acked { get; } = new(true, null);

    public static PublishOutcome Unavailable(string reason) => new(false, reason);
}
