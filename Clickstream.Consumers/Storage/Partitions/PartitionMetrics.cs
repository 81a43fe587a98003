using System.Diagnostics.Metrics;

namespace Clickstream.Consumers.Storage.Partitions;

/// <summary>What the maintenance job does, on the worker's meter (<see cref="StoreMetrics.MeterName"/>): partitions made and dropped, rows it moved out of or deleted from the default partition.</summary>
internal sealed class PartitionMetrics
{
    private readonly Counter<long> _created;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _moved;
    private readonly Counter<long> _expired;

    public PartitionMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(StoreMetrics.MeterName);
        _created = meter.CreateCounter<long>("clickstream.store.partitions.created", "{partition}", "Partitions of events the maintenance job made.");
        _dropped = meter.CreateCounter<long>("clickstream.store.partitions.dropped", "{partition}", "Partitions of events dropped past Storage:Retention.");
        _moved = meter.CreateCounter<long>("clickstream.store.default_partition.moved", "{row}",
            "Rows the default partition caught and the maintenance job moved into the partition made for them.");
        _expired = meter.CreateCounter<long>("clickstream.store.default_partition.expired", "{row}",
            "Rows the default partition caught that were past Storage:Retention, deleted.");
    }

    public void Record(MaintenanceRun run)
    {
        _created.Add(run.Created.Count);
        _dropped.Add(run.Dropped.Count);
        _moved.Add(run.MovedRows);
        _expired.Add(run.ExpiredDefaultRows);
    }
}
