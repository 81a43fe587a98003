using Clickstream.ServiceDefaults.Configuration;
using Clickstream.ServiceDefaults.Health;
using Clickstream.ServiceDefaults.Hosting;
using Clickstream.ServiceDefaults.Telemetry;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Clickstream.ServiceDefaults;

/// <summary>What every Clickstream host (the API, the worker) sets up the same way.</summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>
    /// Settings from the <c>.env</c> file and the original service's names (a malformed <c>.env</c> throws
    /// <see cref="DotEnvFormatException"/>), logging defaults, the stop bound (<c>Ingestion:ShutdownTimeout</c>),
    /// OpenTelemetry, health checks, and MassTransit's usage reports to masstransit.io turned off.
    /// </summary>
    public static IHostApplicationBuilder AddServiceDefaults(this IHostApplicationBuilder builder)
    {
        builder.Configuration.AddClickstreamSources();
        builder.Configuration.AddLoggingDefaults();
        // HostOptions are read while the host is built, before start-up validation: the raw value, validated later.
        builder.Services.AddOptions<HostOptions>().Configure(host => host.ShutdownTimeout = ShutdownTimeout.Read(builder.Configuration));
        builder.Services.PostConfigure<UsageTelemetryOptions>(o => o.Enabled = false);
        builder.AddClickstreamTelemetry();
        builder.Services.AddHealthChecks();
        return builder;
    }

    /// <summary>
    /// <c>/health/live</c>, <c>/health/ready</c> (see <see cref="HealthEndpoints"/>) and <c>/metrics</c> (Prometheus text),
    /// none rate limited nor behind API keys: what probes and scrapers call, inside the deployment.
    /// </summary>
    public static IEndpointRouteBuilder MapDefaultEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthEndpoints();
        if (OpenTelemetryDefaults.IsEnabled(endpoints.ServiceProvider.GetRequiredService<IConfiguration>()))
        {
            endpoints.MapPrometheusScrapingEndpoint().DisableRateLimiting();
        }
        return endpoints;
    }
}
