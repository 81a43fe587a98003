using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Clickstream.Kafka;

/// <summary>
/// Readiness of the Kafka rider's topic endpoints: healthy once every endpoint runs and has joined its consumer
/// group (a member may hold no partition when the group has more members than partitions); unhealthy when an
/// endpoint's loop stopped, or when a partition with lag made no progress (no commit moved) for the endpoint's
/// <c>StallAfter</c>: a person must look at it. Its data gives each endpoint's partitions, messages in flight
/// (received, not finished) and paused partitions, and each stalled partition's lag and since when.
/// </summary>
public sealed class KafkaRiderHealthCheck(IKafkaRider rider) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var endpoints = rider.GetEndpointStates();
        var data = new Dictionary<string, object>();
        foreach (var e in endpoints)
        {
            data[e.Name] = $"partitions [{string.Join(",", e.AssignedPartitions)}], {e.InFlight} in flight"
                           + (e.PausedPartitions.Count > 0 ? $", paused [{string.Join(",", e.PausedPartitions)}]" : "");
            foreach (var stalled in e.StalledPartitions)
            {
                data[$"{e.Name}[{stalled.Partition}]"] =
                    $"stalled: lag {stalled.Lag}, no progress since {stalled.NoProgressSince.ToString("O", CultureInfo.InvariantCulture)}";
            }
        }

        var stalledEndpoints = endpoints.Where(e => e.StalledPartitions.Count > 0).ToList();
        var result = endpoints switch
        {
            _ when endpoints.Any(e => !e.IsRunning) =>
                HealthCheckResult.Unhealthy($"Topic endpoint(s) stopped: {Names(endpoints.Where(e => !e.IsRunning))}", data: data),
            _ when stalledEndpoints.Count > 0 =>
                HealthCheckResult.Unhealthy("Partition(s) with lag made no progress: " + string.Join("; ", stalledEndpoints.Select(e =>
                    $"{e.Name} [{string.Join(",", e.StalledPartitions.Select(p => p.Partition))}] for over {e.StallAfter}")), data: data),
            _ when endpoints.Any(e => !e.HasJoined) =>
                HealthCheckResult.Unhealthy($"Waiting to join the consumer group: {Names(endpoints.Where(e => !e.HasJoined))}", data: data),
            _ => HealthCheckResult.Healthy($"{endpoints.Count} topic endpoint(s) joined", data),
        };
        return Task.FromResult(result);
    }

    private static string Names(IEnumerable<TopicEndpointState> endpoints) => string.Join(", ", endpoints.Select(e => e.Name));
}
