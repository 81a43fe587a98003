using System.Globalization;
using Clickstream.Consumers.Configuration;
using Clickstream.Consumers.Hosting;
using Clickstream.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace Clickstream.Benchmarks.Hosts;

/// <summary>
/// The real worker (<c>AddClickstreamConsumers</c>: rider topic endpoint, batch consumer, COPY store) in a generic
/// host of this process, with the batch size under test and a group of its own so each run reads the topic from the start.
/// </summary>
public static class PipelineConsumers
{
    public static async Task<IHost> StartAsync(
        string bootstrapServers, string connectionString, string group, int batchSize, CancellationToken cancellationToken, bool telemetry = true,
        bool managePartitions = true)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory, EnvironmentName = "Production" });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(LoopbackWebHost.Quiet);
        builder.Configuration.AddInMemoryCollection(Settings(bootstrapServers, connectionString, group, batchSize));
        builder.Configuration["Telemetry:Enabled"] = telemetry ? "true" : "false";
        // Off for the single-table baseline: there is nothing to partition.
        builder.Configuration["Storage:ManagePartitions"] = managePartitions ? "true" : "false";
        builder.AddServiceDefaults();
        builder.Services.AddClickstreamConsumers();
        var host = builder.Build();
        await host.StartAsync(cancellationToken);
        return host;
    }

    /// <summary>
    /// The batch concurrency and time limit a started worker runs with, for the report: its defaults, or what the
    /// environment set (<c>Ingestion__ConcurrencyLimit=3</c>).
    /// </summary>
    public static string ConcurrencyAndTimeLimit(IHost host)
    {
        var options = host.Services.GetRequiredService<IOptions<IngestionBatchOptions>>().Value;
        return string.Create(CultureInfo.InvariantCulture, $"{options.ConcurrencyLimit} / {options.TimeLimit.TotalSeconds:0.###} s");
    }

    /// <summary>The worker's settings in force, for the report's tunables too.</summary>
    public static Dictionary<string, string?> Settings(string bootstrapServers, string connectionString, string group, int batchSize) => new()
    {
        ["Kafka:BootstrapServers"] = bootstrapServers,
        ["Kafka:GroupId"] = group,
        // The embedded broker waits session.timeout.ms − 1 s to rebalance after a member left: keep it short.
        ["Kafka:ConsumerSettings:session.timeout.ms"] = "6000",
        ["ConnectionStrings:Events"] = connectionString,
        ["Ingestion:MessageLimit"] = batchSize.ToString(CultureInfo.InvariantCulture),
        ["Ingestion:CheckpointMessageCount"] = Math.Max(5000, batchSize).ToString(CultureInfo.InvariantCulture),
        ["Ingestion:DrainTimeout"] = "00:00:10",
        ["Ingestion:ShutdownTimeout"] = "00:00:15",
    };
}
