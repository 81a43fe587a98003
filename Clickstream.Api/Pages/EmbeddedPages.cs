using Microsoft.AspNetCore.Http.HttpResults;

namespace Clickstream.Api.Pages;

/// <summary>
/// What the API's own pages (the dashboard, the tracker demo) share: their files embedded in this assembly, and how a
/// page's file is served (its content security policy, no sniffing, no referrer, revalidated on every load).
/// </summary>
internal static class EmbeddedPages
{
    /// <summary>The embedded resource <paramref name="resourceName"/> (e.g. <c>Clickstream.Api.Dashboard.Page.dashboard.js</c>).</summary>
    public static byte[] Read(string resourceName)
    {
        using var stream = typeof(EmbeddedPages).Assembly.GetManifestResourceStream(resourceName)
            ?? throw new InvalidOperationException($"{resourceName} is not embedded in the API assembly.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    public static FileContentHttpResult Serve(HttpContext context, byte[] content, string contentType, string contentSecurityPolicy)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = contentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-cache";
        return TypedResults.File(content, contentType);
    }
}
