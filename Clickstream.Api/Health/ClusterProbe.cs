using Clickstream.Api.Configuration;
using Clickstream.ServiceDefaults.Configuration;
using Confluent.Kafka;
using Microsoft.Extensions.Options;

namespace Clickstream.Api.Health;

/// <summary>
/// Asks the cluster for the topic's metadata every <see cref="ReadinessOptions.ProbeInterval"/>, so readiness
/// answers from memory: a load balancer polling /health/ready never causes a round trip to Kafka.
/// </summary>
internal sealed partial class ClusterProbe(IOptions<KafkaOptions> kafka, IOptions<ReadinessOptions> readiness,
    ClusterReachability reachability, ILogger<ClusterProbe> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var options = readiness.Value;
        using var admin = new AdminClientBuilder(kafka.Value.ToClusterConfig())
            // Connection failures repeat every probe during an outage; the change of readiness is logged once instead.
            .SetLogHandler((_, message) => LogClient(message.Message))
            .Build();
        using var timer = new PeriodicTimer(options.ProbeInterval);
        do
        {
            // GetMetadata blocks up to the timeout: keep it off the host's threads.
            var result = await Task.Run(() => Probe(admin, kafka.Value.Topic, options.ProbeTimeout), stoppingToken);
            if (reachability.Record(result))
            {
                LogReachabilityChanged(result.Reachable ? LogLevel.Information : LogLevel.Warning, result.Description);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private static ClusterReachability.ProbeResult Probe(IAdminClient admin, string topic, TimeSpan timeout)
    {
        try
        {
            var metadata = admin.GetMetadata(topic, timeout);
            var described = metadata.Topics.SingleOrDefault(t => t.Topic == topic);
            if (described is null || described.Error.IsError || described.Partitions.Count == 0)
            {
                return new(false, $"Topic {topic} is not available: {described?.Error.Reason ?? "not in the cluster's metadata"}.");
            }
            var leaderless = described.Partitions.Count(p => p.Leader < 0);
            return leaderless == 0
                ? new(true, $"Topic {topic}: {described.Partitions.Count} partitions, {metadata.Brokers.Count} broker(s).")
                : new(false, $"Topic {topic}: {leaderless} of {described.Partitions.Count} partitions have no leader.");
        }
        catch (KafkaException e)
        {
            return new(false, $"The Kafka cluster did not answer within {timeout.TotalSeconds:0.#} s: {e.Error.Reason}");
        }
    }

    [LoggerMessage(Message = "Kafka readiness: {Description}")]
    private partial void LogReachabilityChanged(LogLevel level, string description);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Readiness probe client: {Message}")]
    private partial void LogClient(string message);
}
