using Clickstream.Consumers.Hosting;
using Clickstream.Kafka;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace Clickstream.Api.Health;

/// <summary>
/// <c>/health/live</c>: the process answers (no checks, so a Kafka outage never gets the API restarted).
/// <c>/health/ready</c>: the producer's cluster is reachable and the producer is not broken by a fatal error, so this
/// instance can accept events. Its body (JSON) gives each check's status and description.
/// </summary>
public static class HealthApi
{
    // The consumers' tag: in a standalone run, readiness covers the rider and the database too.
    private const string ReadyTag = HealthEndpoints.ReadyTag;

    public static IServiceCollection AddClickstreamHealth(this IServiceCollection services)
    {
        services.AddSingleton<ClusterReachability>();
        services.AddHostedService<ClusterProbe>();
        services.AddHealthChecks()
            .AddCheck<KafkaClusterHealthCheck>("kafka", tags: [ReadyTag])
            .AddKafkaProducers("kafka-producers", ReadyTag);
        return services;
    }

    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).DisableRateLimiting();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = c => c.Tags.Contains(ReadyTag),
            ResponseWriter = HealthReportJson.WriteAsync,
        }).DisableRateLimiting();
        return app;
    }
}
