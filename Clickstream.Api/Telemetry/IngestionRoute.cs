namespace Clickstream.Api.Telemetry;

/// <summary>
/// An ingestion endpoint, as endpoint metadata: its route (the <c>http.route</c> tag, built once) and the mark by which
/// the middleware that answers before the handler (authentication, the rate limiter) knows its refusals are of events.
/// </summary>
internal sealed class IngestionRoute
{
    public static readonly IngestionRoute Event = new("/events");
    public static readonly IngestionRoute Batch = new("/events/batch");

    private IngestionRoute(string route)
    {
        Route = route;
        Tags = [new("http.route", route)];
    }

    public string Route { get; }

    internal KeyValuePair<string, object?>[] Tags { get; }

    /// <summary>The ingestion route <paramref name="context"/> was routed to, or null for any other endpoint.</summary>
    public static IngestionRoute? Of(HttpContext context) => context.GetEndpoint()?.Metadata.GetMetadata<IngestionRoute>();

    /// <summary>The ingestion route a path names (as routing matches it: any case, a trailing slash), or null.</summary>
    public static IngestionRoute? OfPath(PathString path)
    {
        var value = path.Value is { Length: > 1 } p && p[^1] == '/' ? p[..^1] : path.Value;
        return string.Equals(value, Event.Route, StringComparison.OrdinalIgnoreCase) ? Event
            : string.Equals(value, Batch.Route, StringComparison.OrdinalIgnoreCase) ? Batch
            : null;
    }
}
