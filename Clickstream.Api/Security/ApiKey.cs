namespace Clickstream.Api.Security;

/// <summary>What a key may do: a server key everything; a publishable key (in web pages) only send events.</summary>
internal enum ApiKeyKind
{
    Server,
    Publishable,
}

/// <summary>
/// A configured key as the API knows a caller by: its name ("key-1", "publishable-1": the position, never the key),
/// its kind, and for a publishable key the origins it is bound to (none: any).
/// </summary>
internal sealed record ApiKey(string Name, ApiKeyKind Kind, IReadOnlyList<string> Origins)
{
    /// <summary>Whether a request from a page of <paramref name="origin"/> (its <c>Origin</c> header, null when it sent none) may use the key.</summary>
    public bool AllowsOrigin(string? origin) =>
        Origins.Count == 0 || (origin is not null && Origins.Contains(origin, StringComparer.OrdinalIgnoreCase));
}
