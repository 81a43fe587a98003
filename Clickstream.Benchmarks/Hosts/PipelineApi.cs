using System.Globalization;
using Clickstream.Api.Apis;
using Clickstream.Api.Extensions;
using Clickstream.ServiceDefaults;

namespace Clickstream.Benchmarks.Hosts;

/// <summary>
/// The real API (Clickstream.Api's own registrations: validation, MassTransit rider producer, problem details, rate
/// limiter, health) in this process. The rate limit is lifted: one client address sends everything here.
/// </summary>
public static class PipelineApi
{
    /// <param name="maxConsumerLagBytes">
    /// The standalone run's consumer-lag bound, for a run whose consumers share this process: without it the embedded
    /// broker drops accepted events once the consumers fall behind.
    /// </param>
    /// <param name="telemetry">False: OpenTelemetry off (<c>Telemetry:Enabled=false</c>), the baseline of its overhead.</param>
    /// <param name="eventsConnectionString">The events database <c>GET /events/{id}</c> reads; none: ingestion only.</param>
    public static async Task<LoopbackWebHost> StartAsync(string bootstrapServers, int lingerMs, CancellationToken cancellationToken,
        long? maxConsumerLagBytes = null, bool telemetry = true, string? eventsConnectionString = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Telemetry:Enabled"] = telemetry ? "true" : "false",
            ["Kafka:BootstrapServers"] = bootstrapServers,
            ["Kafka:Settings:linger.ms"] = lingerMs.ToString(CultureInfo.InvariantCulture),
        };
        if (eventsConnectionString is not null)
        {
            settings["ConnectionStrings:Events"] = eventsConnectionString;
        }
        if (maxConsumerLagBytes is { } maxLag)
        {
            settings["Api:Publishing:MaxConsumerLagBytes"] = maxLag.ToString(CultureInfo.InvariantCulture);
        }
        var builder = LoopbackWebHost.CreateBuilder(settings);
        builder.AddServiceDefaults();
        builder.AddClickstreamApi();
        var app = builder.Build();
        app.UseClickstreamApi();
        app.MapEventsApi();
        app.MapStoredEventsApi();
        app.MapDefaultEndpoints();
        return await LoopbackWebHost.StartAsync(app, cancellationToken);
    }
}
