using Clickstream.Consumers.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Clickstream.Consumers.Storage.Partitions;

/// <summary>
/// Runs <see cref="PartitionMaintenance"/> when the worker starts (after the schema is in place: it is registered
/// after <see cref="EventsSchemaInitializer"/>) and every <see cref="PartitionOptions.MaintenanceInterval"/>. A failed
/// run (the database away) is logged and tried again at the next interval; events never wait for it, since the
/// default partition takes what no partition covers. With <see cref="PartitionOptions.ManagePartitions"/> off it does nothing.
/// </summary>
internal sealed class PartitionMaintenanceService(PartitionMaintenance maintenance, PartitionMetrics metrics, IOptions<PartitionOptions> options,
    TimeProvider time, ILogger<PartitionMaintenanceService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.ManagePartitions)
        {
            PartitionLog.Off(logger);
            return;
        }
        var interval = options.Value.MaintenanceInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await maintenance.RunAsync(stoppingToken) is { } run)
                {
                    metrics.Record(run);
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                PartitionLog.Failed(logger, e, interval);
            }
            try
            {
                await Task.Delay(interval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
