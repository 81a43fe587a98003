using Clickstream.Api.Configuration;
using Clickstream.Api.Dashboard;
using Clickstream.Api.Docs;
using Clickstream.Api.Health;
using Clickstream.Api.Ingestion;
using Clickstream.Api.Publishing;
using Clickstream.Api.RateLimiting;
using Clickstream.Api.Security;
using Clickstream.Api.ReadModel;
using Clickstream.Api.Telemetry;
using Clickstream.Consumers.Hosting;
using Clickstream.ServiceDefaults.Configuration;
using FluentValidation;

namespace Clickstream.Api.Extensions;

/// <summary>Wires the API's parts: configuration, publishing, protection, health, docs and the dashboard.</summary>
public static class ClickstreamApiExtensions
{
    /// <param name="hostConsumers">
    /// Also run the consumers that store events, in this process (the standalone run); otherwise only the read side
    /// of the database is used, for <c>GET /events/{id}</c>, and ingestion never waits for the database.
    /// </param>
    public static WebApplicationBuilder AddClickstreamApi(this WebApplicationBuilder builder, bool hostConsumers = false)
    {
        var services = builder.Services;
        if (hostConsumers)
        {
            // Before MassTransit: the schema must exist before the consumers run.
            services.AddClickstreamConsumerServices();
        }
        // Only for GET /events/{id}; the API starts and ingests without a database.
        services.AddStoredEventReads();
        services.AddApiOptions();
        services.AddKafkaOptions("Kafka:BootstrapServers is not set: the API publishes every event to Kafka. Set Kafka__BootstrapServers "
            + "(or KAFKA_BOOTSTRAP_SERVERS) to host:port[,host:port...].");
        services.TryAddSingletonTimeProvider();
        // Numbers in strings are wrong types on this API (as on the wire); the OpenAPI schema says so too.
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict);
        services.AddProblemDetails(o => o.CustomizeProblemDetails = c =>
            c.ProblemDetails.Extensions.TryAdd("trace_id", c.HttpContext.TraceIdentifier));
        services.AddValidatorsFromAssemblyContaining<ClickEventValidator>(ServiceLifetime.Singleton, includeInternalTypes: true);
        services.AddSingleton<ClickEventRequestReader>();
        services.AddMetrics();
        services.AddSingleton<IngestionMetrics>();
        builder.AddClickEventPublishing(hostConsumers);
        services.AddApiKeyAuthentication();
        services.AddCrossOriginRequests();
        services.AddTrustedProxies();
        services.AddIngestionRateLimiting();
        services.AddClickstreamHealth();
        services.AddApiDocs();
        services.AddDashboard();
        return builder;
    }

    /// <summary>
    /// The middleware, in order: the client's address (from trusted proxies), failures as problem details, CORS, then
    /// how often (before the key check, so guessing keys is slowed down too), then who is calling.
    /// </summary>
    public static WebApplication UseClickstreamApi(this WebApplication app)
    {
        app.UseTrustedProxies();
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            // Kestrel's own complaints about a request (a body cut short, say) are the client's 4xx, not our 500.
            StatusCodeSelector = e => e is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
        });
        app.UseStatusCodePages();
        // Before the key check and the limiter: a preflight carries neither a key nor a body, and is answered here.
        app.UseCors();
        app.UseRoutingRefusalCounting();
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    private static void TryAddSingletonTimeProvider(this IServiceCollection services) =>
        Microsoft.Extensions.DependencyInjection.Extensions.ServiceCollectionDescriptorExtensions.TryAddSingleton(services, TimeProvider.System);
}
