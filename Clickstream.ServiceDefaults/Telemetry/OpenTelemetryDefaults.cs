using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Clickstream.ServiceDefaults.Telemetry;

/// <summary>
/// OpenTelemetry for a Clickstream host. Metrics are always on and readable at <c>/metrics</c> (Prometheus text).
/// Traces and logs are recorded when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, and sent there with the metrics (the
/// exporter reads the other <c>OTEL_*</c> settings itself): with nowhere to send them, recording a span per request
/// and per message would be work for nothing.
/// </summary>
public static class OpenTelemetryDefaults
{
    public const string OtlpEndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary><c>Telemetry:Enabled</c>, default true: false leaves OpenTelemetry out entirely (no <c>/metrics</c>), as the benchmarks' baseline does.</summary>
    public const string EnabledKey = "Telemetry:Enabled";

    public static bool IsEnabled(IConfiguration configuration) => configuration.GetValue(EnabledKey, true);

    public static IHostApplicationBuilder AddClickstreamTelemetry(this IHostApplicationBuilder builder)
    {
        if (!IsEnabled(builder.Configuration))
        {
            return builder;
        }
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(
                serviceName: builder.Configuration["OTEL_SERVICE_NAME"] ?? builder.Environment.ApplicationName.ToLowerInvariant().Replace('.', '-'),
                serviceInstanceId: Environment.MachineName))
            .WithMetrics(metrics => metrics
                .AddMeter(TelemetryNames.Meters, TelemetryNames.MassTransit, TelemetryNames.Npgsql)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddProcessInstrumentation()
                .AddPrometheusExporter());
        if (!string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointKey]))
        {
            builder.Logging.AddOpenTelemetry(logging =>
            {
                logging.IncludeFormattedMessage = true;
                logging.IncludeScopes = true;
            });
            telemetry
                .WithTracing(tracing => tracing
                    .AddSource(TelemetryNames.Sources, TelemetryNames.MassTransit, TelemetryNames.Npgsql)
                    .AddAspNetCoreInstrumentation(o => o.Filter = context => !IsScrapeOrProbe(context.Request.Path))
                    .AddHttpClientInstrumentation())
                .UseOtlpExporter();
        }
        return builder;
    }

    // Prometheus scrapes and orchestrators' probes every few seconds: as traces they would bury the requests.
    private static bool IsScrapeOrProbe(Microsoft.AspNetCore.Http.PathString path) =>
        path.StartsWithSegments("/metrics") || path.StartsWithSegments("/health");
}
