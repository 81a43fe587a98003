namespace Clickstream.Api.Telemetry;

/// <summary>
/// Counts the refusals routing answers on the ingestion routes before any endpoint runs: a Content-Type the endpoints do
/// not accept (not JSON) is answered 415 by ASP.NET Core's content-type matching, which the endpoints never see.
/// </summary>
internal static class RoutingRefusals
{
    public static IApplicationBuilder UseRoutingRefusalCounting(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        await next(context);
        // The endpoint's own 415 (a charset other than UTF-8) is counted by the endpoint: its route is known there.
        if (context.Response.StatusCode == StatusCodes.Status415UnsupportedMediaType && IngestionRoute.Of(context) is null
            && HttpMethods.IsPost(context.Request.Method) && IngestionRoute.OfPath(context.Request.Path) is { } route)
        {
            var metrics = context.RequestServices.GetRequiredService<IngestionMetrics>();
            metrics.BodyRefusedUnread(route, context.Request.ContentLength);
            metrics.Refused(RefusalReason.Invalid);
        }
    });
}
