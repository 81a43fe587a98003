using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Clickstream.Kafka;

/// <summary>
/// Readiness of the Kafka rider's topic endpoints: healthy once every endpoint runs and has joined its consumer
/// group (a member may hold no partition when the group has more members than partitions), unhealthy when an
/// endpoint's loop stopped. Its data gives each endpoint's partitions and messages in flight (received, not finished).
/// </summary>
public sealed class KafkaRiderHealthCheck(IKafkaRider rider) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var endpoints = rider.GetEndpointStates();
        var data = endpoints.ToDictionary(e => e.Name, e => (object)$"partitions [{string.Join(",", e.AssignedPartitions)}], {e.InFlight} in flight");

        var result = endpoints switch
        {
            _ when endpoints.Any(e => !e.IsRunning) =>
                HealthCheckResult.Unhealthy($"Topic endpoint(s) stopped: {Names(endpoints.Where(e => !e.IsRunning))}", data: data),
            _ when endpoints.Any(e => !e.HasJoined) =>
                HealthCheckResult.Unhealthy($"Waiting to join the consumer group: {Names(endpoints.Where(e => !e.HasJoined))}", data: data),
            _ => HealthCheckResult.Healthy($"{endpoints.Count} topic endpoint(s) joined", data),
        };
        return Task.FromResult(result);
    }

    private static string Names(IEnumerable<TopicEndpointState> endpoints) => string.Join(", ", endpoints.Select(e => e.Name));
}
