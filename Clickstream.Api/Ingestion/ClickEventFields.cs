namespace Clickstream.Api.Ingestion;

/// <summary>The JSON names of <see cref="Contracts.ClickEvent"/>'s fields, as clients write them.</summary>
internal static class ClickEventFields
{
    public const string EventId = "event_id";
    public const string UserId = "user_id";
    public const string EventType = "event_type";
    public const string Page = "page";
    public const string EventTime = "event_time";
    public const string SessionId = "session_id";
    public const string Referrer = "referrer";
    public const string Properties = "properties";
}
