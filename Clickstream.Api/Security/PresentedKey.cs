using Microsoft.Net.Http.Headers;

namespace Clickstream.Api.Security;

/// <summary>
/// The key a request presents, from <c>X-Api-Key</c>, <c>Authorization: Bearer</c>, or the <c>key</c> query parameter
/// (beacons can send no header), and which configured key it is. Worked out once per request, by the rate limiter (which
/// runs first) or by authentication, and kept on the request for the other.
/// </summary>
internal sealed class PresentedKey
{
    private const string BearerPrefix = "Bearer ";
    private static readonly object ItemKey = new();

    private PresentedKey(bool inUrl, ApiKey? match) => (InUrl, Match) = (inUrl, match);

    /// <summary>Sent as the query parameter, where logs, proxies and browser history keep it.</summary>
    public bool InUrl { get; }

    /// <summary>The configured key it is; null when none.</summary>
    public ApiKey? Match { get; }

    /// <summary>A key the request may use: a match, and not a server key given away in a URL.</summary>
    public ApiKey? Usable => Match is { } key && !(InUrl && key.Kind == ApiKeyKind.Server) ? key : null;

    /// <summary>The request's key; null when it presents none.</summary>
    public static PresentedKey? Of(HttpContext context, ApiKeys keys)
    {
        if (context.Items.TryGetValue(ItemKey, out var known))
        {
            return (PresentedKey?)known;
        }
        var presented = Read(context.Request) is ({ Length: > 0 } value, var inUrl) ? new PresentedKey(inUrl, keys.Identify(value)) : null;
        context.Items[ItemKey] = presented;
        return presented;
    }

    private static (string? Value, bool InUrl) Read(HttpRequest request)
    {
        if (request.Headers.TryGetValue(ApiKeyDefaults.HeaderName, out var header))
        {
            return (header.ToString().Trim(), false);
        }
        var authorization = request.Headers[HeaderNames.Authorization].ToString();
        if (authorization.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return (authorization[BearerPrefix.Length..].Trim(), false);
        }
        return request.Query.TryGetValue(ApiKeyDefaults.QueryParameter, out var query) ? (query.ToString().Trim(), true) : (null, false);
    }
}
