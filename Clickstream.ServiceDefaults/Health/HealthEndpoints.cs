using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Clickstream.ServiceDefaults.Health;

public static class HealthEndpoints
{
    /// <summary>Checks with this tag gate readiness: the rider joined its group, the database answers.</summary>
    public const string ReadyTag = "ready";

    /// <summary>
    /// <c>/health/live</c>: the process serves requests (no dependency checked, so an outage does not get it restarted).
    /// <c>/health/ready</c>: every check tagged "ready" passes; the JSON body gives each check's status and reason.
    /// </summary>
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).DisableRateLimiting();
        endpoints.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadyTag),
            ResponseWriter = HealthReportJson.WriteAsync,
        }).DisableRateLimiting();
        return endpoints;
    }
}
