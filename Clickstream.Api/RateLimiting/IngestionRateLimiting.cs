using System.Globalization;
using System.Threading.RateLimiting;
using Clickstream.Api.Configuration;
using Clickstream.Api.Telemetry;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Clickstream.Api.RateLimiting;

/// <summary>
/// ASP.NET Core's rate limiter over every request, with the budgets of <see cref="RequestPartitions"/>. It runs before
/// the key check, so a client trying keys is slowed down like any other.
/// </summary>
internal static class IngestionRateLimiting
{
    public static IServiceCollection AddIngestionRateLimiting(this IServiceCollection services)
    {
        services.AddSingleton<RequestPartitions>();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<RequestPartitions>((limiter, partitions) =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = RejectAsync;
            limiter.GlobalLimiter = partitions.CreateLimiter();
        });
        return services;
    }

    private static async ValueTask RejectAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        if (IngestionRoute.Of(context) is not null)
        {
            context.RequestServices.GetRequiredService<IngestionMetrics>().Refused(RefusalReason.RateLimited);
        }
        var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        var withoutKey = context.RequestServices.GetRequiredService<RequestPartitions>().LacksValidKey(context);
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = StatusCodes.Status429TooManyRequests,
                Title = "Too many requests.",
                Detail = withoutKey
                    ? "Too many requests without a valid API key from this address; retry after the Retry-After seconds, with a valid key."
                    : "The rate limit of this API key or client address is reached; retry after the Retry-After seconds.",
            },
        });
    }
}
