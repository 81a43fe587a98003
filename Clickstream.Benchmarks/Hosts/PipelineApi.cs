using System.Globalization;
using Clickstream.Api.Apis;
using Clickstream.Api.Extensions;
using Clickstream.Api.Health;

namespace Clickstream.Benchmarks.Hosts;

/// <summary>
/// The real API (Clickstream.Api's own registrations: validation, MassTransit rider producer, problem details, rate
/// limiter, health) in this process. The rate limit is lifted: one client address sends everything here.
/// </summary>
public static class PipelineApi
{
    public static async Task<LoopbackWebHost> StartAsync(string bootstrapServers, int lingerMs, CancellationToken cancellationToken)
    {
        var builder = LoopbackWebHost.CreateBuilder(new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = bootstrapServers,
            ["Kafka:Settings:linger.ms"] = lingerMs.ToString(CultureInfo.InvariantCulture),
            ["Api:RateLimit:PermitLimit"] = int.MaxValue.ToString(CultureInfo.InvariantCulture),
        });
        builder.AddClickstreamApi();
        var app = builder.Build();
        app.UseClickstreamApi();
        app.MapEventsApi();
        app.MapHealthApi();
        return await LoopbackWebHost.StartAsync(app, cancellationToken);
    }
}
