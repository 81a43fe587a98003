using System.Globalization;
using Clickstream.Kafka.Producing;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Clickstream.Kafka;

/// <summary>
/// Readiness of the Kafka rider's producers (topic producers and the topic endpoints' dead-letter producers):
/// unhealthy while one is broken by a fatal error (every produce fails until it is rebuilt), naming the producer, the
/// error and when the new producer takes over. A producer rebuilt after a fatal error is healthy again; its last fatal
/// error stays in the description and data, so a person can see that it happened.
/// </summary>
public sealed class KafkaProducersHealthCheck(IKafkaRider rider) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var producers = rider.GetProducerStates();
        var data = producers.ToDictionary(p => p.Name, p => (object)Describe(p));
        var broken = producers.Where(p => p.IsBroken).ToList();
        var result = broken.Count > 0
            ? HealthCheckResult.Unhealthy(
                "Kafka producer(s) broken by a fatal error, every produce fails until rebuilt: " + string.Join("; ", broken.Select(Describe)), data: data)
            : producers.Any(p => p.Rebuilds > 0)
                ? HealthCheckResult.Healthy(
                    $"{producers.Count} Kafka producer(s) can produce; rebuilt after a fatal error: " + string.Join("; ", producers.Where(p => p.Rebuilds > 0).Select(Describe)), data)
                : HealthCheckResult.Healthy($"{producers.Count} Kafka producer(s) can produce", data);
        return Task.FromResult(result);
    }

    private static string Describe(KafkaProducerState producer) => producer switch
    {
        { IsBroken: true } => $"{producer.Name}: fatal error at {Time(producer.LastFatalAt)} ({producer.LastFatalError}); a new producer takes over at {Time(producer.RebuildAt)}",
        { Rebuilds: > 0 } => $"{producer.Name}: rebuilt {producer.Rebuilds} time(s), last fatal error at {Time(producer.LastFatalAt)} ({producer.LastFatalError})",
        _ => $"{producer.Name}: can produce",
    };

    private static string Time(DateTimeOffset? time) => time?.ToString("O", CultureInfo.InvariantCulture) ?? "?";
}
