using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Clickstream.Api.Health;

/// <summary>Ready when the last probe reached the cluster and found the topic with leaders for all its partitions.</summary>
internal sealed class KafkaClusterHealthCheck(ClusterReachability reachability) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var last = reachability.Last;
        return Task.FromResult(last.Reachable ? HealthCheckResult.Healthy(last.Description) : HealthCheckResult.Unhealthy(last.Description));
    }
}
