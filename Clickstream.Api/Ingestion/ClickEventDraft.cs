using System.Text.Json;

namespace Clickstream.Api.Ingestion;

/// <summary>
/// An event as the client sent it, with the right JSON types but not yet validated: what
/// <see cref="ClickEventValidator"/> checks before it becomes a <see cref="Contracts.ClickEvent"/>.
/// </summary>
internal sealed class ClickEventDraft
{
    private DateTimeOffset? _eventTimeInstant;
    private bool _eventTimeParsed;

    public string? EventId
    {
        get;
        set
        {
            field = value;
            EventIdValue = Guid.TryParseExact(value, "D", out var id) ? id : null;
        }
    }

    /// <summary><see cref="EventId"/> as a UUID (8-4-4-4-12 hex digits), or null when it is not one. Parsed once.</summary>
    public Guid? EventIdValue { get; private set; }

    public long? UserId { get; set; }

    public string? EventType { get; set; }

    public string? Page { get; set; }

    /// <summary>Kept as text: RFC 3339 demands an explicit offset, which parsing alone would not check.</summary>
    public string? EventTime
    {
        get;
        set
        {
            field = value;
            _eventTimeParsed = false;
        }
    }

    /// <summary><see cref="EventTime"/>'s instant when it is RFC 3339 with an offset, or null. Parsed once, when first asked.</summary>
    public DateTimeOffset? EventTimeInstant
    {
        get
        {
            if (!_eventTimeParsed)
            {
                _eventTimeInstant = ClickEventValidator.Rfc3339(EventTime);
                _eventTimeParsed = true;
            }
            return _eventTimeInstant;
        }
    }

    public string? SessionId { get; set; }

    public string? Referrer { get; set; }

    public JsonElement? Properties { get; set; }
}
