namespace Clickstream.Api.Configuration;

/// <summary>What a configured web origin must look like (<c>scheme://host[:port]</c>), for CORS and for publishable keys.</summary>
internal static class WebOrigins
{
    public static bool IsOrigin(string origin) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
        && uri.GetLeftPart(UriPartial.Authority) == Normalize(origin);

    /// <summary>As browsers send it in <c>Origin</c>: no trailing slash.</summary>
    public static string Normalize(string origin) => origin.TrimEnd('/');

    public static string NotAnOrigin(string setting, string origin) =>
        $"{setting} entry '{origin}' is not an origin: give scheme://host[:port], without a path (e.g. https://shop.example).";
}
