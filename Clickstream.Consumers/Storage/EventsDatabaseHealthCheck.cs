using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace Clickstream.Consumers.Storage;

/// <summary>Readiness of the events database: a connection opens and the events table is there.</summary>
internal sealed class EventsDatabaseHealthCheck(NpgsqlDataSource dataSource) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var command = dataSource.CreateCommand("SELECT to_regclass('events') IS NOT NULL");
            return await command.ExecuteScalarAsync(cancellationToken) is true
                ? HealthCheckResult.Healthy("The events table is reachable")
                : HealthCheckResult.Unhealthy("The events table is missing");
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy($"The events database is unreachable: {PostgresErrors.Describe(e)}", e);
        }
    }
}
