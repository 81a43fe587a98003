using System.Globalization;
using System.Threading.RateLimiting;
using Clickstream.Api.Configuration;
using Clickstream.Api.Security;
using Clickstream.Api.Telemetry;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Clickstream.Api.RateLimiting;

/// <summary>
/// ASP.NET Core's rate limiter on the event endpoints: a fixed window per API key, or per client address when the
/// API is open. It runs after authorization, so requests with a wrong key are refused (401) before they count.
/// </summary>
internal static class IngestionRateLimiting
{
    public const string Policy = "ingestion";

    public static IServiceCollection AddIngestionRateLimiting(this IServiceCollection services)
    {
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = RejectAsync;
            limiter.AddPolicy(Policy, context =>
            {
                var options = context.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value;
                return RateLimitPartition.GetFixedWindowLimiter(PartitionOf(context), _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = options.PermitLimit,
                    Window = options.Window,
                    // Queued requests would hold connections open while clients are told nothing: refuse at once.
                    QueueLimit = 0,
                });
            });
        });
        return services;
    }

    private static string PartitionOf(HttpContext context) =>
        context.User.Identity is { IsAuthenticated: true, Name: { } name } && name != ApiKeyDefaults.Anonymous
            ? "key:" + name
            : "address:" + context.Connection.RemoteIpAddress;

    private static async ValueTask RejectAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        if (IngestionRoute.Of(context) is not null)
        {
            context.RequestServices.GetRequiredService<IngestionMetrics>().Refused(RefusalReason.RateLimited);
        }
        var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait)
            ? wait
            : context.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value.Window;
        context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = StatusCodes.Status429TooManyRequests,
                Title = "Too many requests.",
                Detail = "The rate limit of this API key (or client address) is reached; retry after the Retry-After seconds.",
            },
        });
    }
}
