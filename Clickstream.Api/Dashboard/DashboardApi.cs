using System.Text.Json;
using Clickstream.Api.Dashboard.Figures;
using Clickstream.Api.Security;
using Clickstream.Consumers.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Clickstream.Api.Dashboard;

/// <summary>
/// <c>/dashboard</c>: a page showing the pipeline live (ingest and stored rates, lag per partition, batch latency, dead
/// letters, stalls, the last events stored, the partitions of events), which polls <c>/dashboard/data</c> every second.
/// The page, its script and style are this assembly's; the page's content security policy lets it reach nothing but
/// this API. The data needs an API key when keys are configured (the page asks for one and sends it in the usual
/// header); the page itself holds no data and is open.
/// </summary>
public static class DashboardApi
{
    public const string Path = "/dashboard";

    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    /// <summary>The figures' listener (from the host's start, so totals count from then) and the latest-events reader.</summary>
    public static IServiceCollection AddDashboard(this IServiceCollection services)
    {
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<PipelineFigures>();
        services.AddHostedService(sp => sp.GetRequiredService<PipelineFigures>());
        services.TryAddSingleton<RecentlyAccepted>();
        services.TryAddSingleton<LatestStoredEvents>();
        services.TryAddSingleton<StoragePartitions>();
        return services;
    }

    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder app)
    {
        // The consumers' store is registered only where they run: in the standalone run, this process.
        var consumersInProcess = app.ServiceProvider.GetRequiredService<IServiceProviderIsService>().IsService(typeof(IClickEventStore));
        var dashboard = app.MapGroup(Path).ExcludeFromDescription();
        dashboard.MapGet("", (HttpContext context) => Asset(context, DashboardAssets.Page, "text/html; charset=utf-8"));
        dashboard.MapGet("/dashboard.js", (HttpContext context) => Asset(context, DashboardAssets.Script, "text/javascript; charset=utf-8"));
        dashboard.MapGet("/dashboard.css", (HttpContext context) => Asset(context, DashboardAssets.StyleSheet, "text/css; charset=utf-8"));
        dashboard.MapGet("/data", (PipelineFigures figures, LatestStoredEvents latest, StoragePartitions partitions, TimeProvider time, HttpContext context,
                CancellationToken cancellationToken) => GetDataAsync(figures, latest, partitions, time, context, consumersInProcess, cancellationToken))
            .RequireAuthorization(ApiKeyDefaults.Policy);
        return app;
    }

    private static async Task<JsonHttpResult<DashboardData>> GetDataAsync(PipelineFigures figures, LatestStoredEvents latest,
        StoragePartitions partitions, TimeProvider time, HttpContext context, bool consumersInProcess, CancellationToken cancellationToken)
    {
        var reading = partitions.ReadAsync();
        var recent = await latest.ReadAsync().WaitAsync(cancellationToken);
        var stored = await reading.WaitAsync(cancellationToken);
        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.Json(new DashboardData(
            time.GetUtcNow(),
            PipelineFigures.WindowSeconds,
            PipelineFigures.RateSeconds,
            figures.ReadIngest(),
            consumersInProcess,
            consumersInProcess ? figures.ReadConsumers() : null,
            recent,
            stored), Json);
    }

    private static FileContentHttpResult Asset(HttpContext context, byte[] content, string contentType) =>
        Pages.EmbeddedPages.Serve(context, content, contentType, ContentSecurityPolicy);
}
