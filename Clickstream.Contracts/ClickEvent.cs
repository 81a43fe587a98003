using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Clickstream.Contracts;

/// <summary>
/// One user click, as it travels on the <c>raw_events</c> topic: a plain JSON object with snake_case names
/// that any producer (a .NET service, kcat, Python) can write.
/// </summary>
public sealed record ClickEvent
{
    /// <summary>
    /// Unique id chosen by the client, the same on every retry; the database keeps one row per id and event_time (its
    /// unique key since the table is partitioned by event_time), so an id must never be reused for another event.
    /// </summary>
    [JsonPropertyName("event_id")]
    public required Guid EventId { get; init; }

    [JsonPropertyName("user_id")]
    public required long UserId { get; init; }

    [JsonPropertyName("event_type")]
    public required string EventType { get; init; }

    [JsonPropertyName("page")]
    public required string Page { get; init; }

    /// <summary>When the click happened, with the client's offset.</summary>
    [JsonPropertyName("event_time")]
    public required DateTimeOffset EventTime { get; init; }

    /// <summary>When the API accepted the event; stamped by the server, absent on events from other producers.</summary>
    [JsonPropertyName("received_at")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? ReceivedAt { get; init; }

    [JsonPropertyName("session_id")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? SessionId { get; init; }

    [JsonPropertyName("referrer")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Referrer { get; init; }

    /// <summary>Free-form attributes of the click: a JSON object.</summary>
    [JsonPropertyName("properties")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonElement? Properties { get; init; }

    /// <summary>
    /// The client's <c>User-Agent</c> header, up to 512 characters; stamped by the API (unless turned off), absent on events
    /// from other producers unless they set it.
    /// </summary>
    [JsonPropertyName("user_agent")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? UserAgent { get; init; }

    /// <summary>
    /// The client's address as the API saw it, truncated to a network for privacy (by default /24 for IPv4, /48 for IPv6):
    /// on the wire <c>"203.0.113.0/24"</c>, or a bare address when it is kept whole. Stamped by the API (unless turned off).
    /// </summary>
    [JsonPropertyName("client_address")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    [JsonConverter(typeof(ClientAddressJsonConverter))]
    public IPNetwork? ClientAddress { get; init; }
}
