using Clickstream.Consumers.Hosting;
using Clickstream.ServiceDefaults;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Clickstream.Tests.Consumers;

/// <summary>
/// The worker's own composition (<c>AddServiceDefaults</c>, <c>AddClickstreamConsumers</c>) in a generic host, against a
/// broker and a database.
/// </summary>
internal static class ConsumersHost
{
    public const string Group = "event_ingestors";

    public static IHostApplicationBuilder Builder(IDictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.TimestampFormat = "HH:mm:ss.fff ").SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddServiceDefaults();
        builder.Services.AddClickstreamConsumers();
        return builder;
    }

    public static async Task<IHost> StartAsync(string bootstrapServers, string connectionString, IDictionary<string, string?>? overrides = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = bootstrapServers,
            // The embedded broker waits session.timeout.ms - 1 s on a rebalance after a member left: keep it short.
            ["Kafka:ConsumerSettings:session.timeout.ms"] = "6000",
            ["Kafka:ConsumerSettings:heartbeat.interval.ms"] = "500",
            ["ConnectionStrings:Events"] = connectionString,
            ["EventStore:RetryMaxDelay"] = "00:00:00.500",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var host = ((HostApplicationBuilder)Builder(settings)).Build();
        await host.StartAsync();
        return host;
    }
}
