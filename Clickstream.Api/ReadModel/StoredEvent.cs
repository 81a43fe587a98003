using System.Text.Json;

namespace Clickstream.Api.ReadModel;

/// <summary>
/// A click event as stored. Timestamps are instants in UTC: timestamptz keeps the moment, not the client's offset.
/// </summary>
public sealed record StoredEvent
{
    public required Guid EventId { get; init; }
    public required long UserId { get; init; }
    public required string EventType { get; init; }
    public required string Page { get; init; }
    public required DateTimeOffset EventTime { get; init; }
    public DateTimeOffset? ReceivedAt { get; init; }
    public string? SessionId { get; init; }
    public string? Referrer { get; init; }
    public JsonElement? Properties { get; init; }

    /// <summary>When the row was written (the database's clock at its transaction).</summary>
    public required DateTimeOffset StoredAt { get; init; }
}
