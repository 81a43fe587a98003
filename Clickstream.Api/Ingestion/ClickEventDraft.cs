using System.Text.Json;

namespace Clickstream.Api.Ingestion;

/// <summary>
/// An event as the client sent it, with the right JSON types but not yet validated: what
/// <see cref="ClickEventValidator"/> checks before it becomes a <see cref="Contracts.ClickEvent"/>.
/// </summary>
internal sealed class ClickEventDraft
{
    public string? EventId { get; set; }

    public long? UserId { get; set; }

    public string? EventType { get; set; }

    public string? Page { get; set; }

    /// <summary>Kept as text: RFC 3339 demands an explicit offset, which parsing alone would not check.</summary>
    public string? EventTime { get; set; }

    public string? SessionId { get; set; }

    public string? Referrer { get; set; }

    public JsonElement? Properties { get; set; }
}
