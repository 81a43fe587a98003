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

    /// <summary>The User-Agent the API saw, up to 512 characters.</summary>
    public string? UserAgent { get; init; }

    /// <summary>The client's address as stored (inet's text: <c>203.0.113.0/24</c> when truncated, a bare address when whole).</summary>
    public string? ClientAddress { get; init; }

    /// <summary>When the row was written (the database's clock at its transaction).</summary>
    public required DateTimeOffset StoredAt { get; init; }
}
