using Microsoft.AspNetCore.Http.HttpResults;

namespace Clickstream.Api.Tracker;

/// <summary>
/// <c>/tracker.js</c>, the script web pages include to send their clicks, and <c>/demo</c>, a page of this API that
/// uses it and shows what it sends and what the API answers. Both are open: they hold no data.
/// </summary>
public static class TrackerApi
{
    public const string ScriptPath = "/tracker.js";
    public const string DemoPath = "/demo";

    // Any site includes the script, from any origin: CORS and CORP let pages that ask for them (integrity checks, a
    // Cross-Origin-Embedder-Policy) load it too; it is public. An hour in caches: an upgrade reaches pages within one.
    private const string ScriptCacheControl = "public, max-age=3600";

    // The demo is this API's own page: it reaches nothing but this API.
    private const string DemoContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static IEndpointRouteBuilder MapTracker(this IEndpointRouteBuilder app)
    {
        app.MapGet(ScriptPath, Script).ExcludeFromDescription();
        var demo = app.MapGroup(DemoPath).ExcludeFromDescription();
        // At /demo/, so that its relative addresses (demo.js, ../tracker.js) hold under any path base and on every view.
        demo.MapGet("", (HttpContext context) => context.Request.Path.Value!.EndsWith('/')
            ? (IResult)DemoPage(context)
            : TypedResults.Redirect(context.Request.PathBase + DemoPath + "/" + context.Request.QueryString));
        // The demo's single-page navigation changes the address to /demo/<view>: a reload there shows the demo again.
        demo.MapGet("/{view}", DemoPage);
        demo.MapGet("/demo.js", (HttpContext context) => DemoAsset(context, TrackerAssets.DemoScript, "text/javascript; charset=utf-8"));
        demo.MapGet("/demo.css", (HttpContext context) => DemoAsset(context, TrackerAssets.DemoStyleSheet, "text/css; charset=utf-8"));
        return app;
    }

    private static FileContentHttpResult Script(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.CacheControl = ScriptCacheControl;
        headers.XContentTypeOptions = "nosniff";
        headers.AccessControlAllowOrigin = "*";
        headers["Cross-Origin-Resource-Policy"] = "cross-origin";
        // text/javascript: the type RFC 9239 and the HTML standard name (application/javascript is its obsolete alias).
        return TypedResults.File(TrackerAssets.Script, "text/javascript; charset=utf-8", entityTag: TrackerAssets.ScriptTag);
    }

    private static FileContentHttpResult DemoPage(HttpContext context) =>
        DemoAsset(context, TrackerAssets.DemoPage, "text/html; charset=utf-8");

    private static FileContentHttpResult DemoAsset(HttpContext context, byte[] content, string contentType) =>
        Pages.EmbeddedPages.Serve(context, content, contentType, DemoContentSecurityPolicy);
}
