namespace Clickstream.Consumers.Configuration;

/// <summary>
/// How the partitioned <c>events</c> table is kept (section "Storage"): one partition per <see cref="PartitionInterval"/>,
/// <see cref="PartitionsAhead"/> of them made ahead of the clock, and, with a <see cref="Retention"/>, whole partitions
/// dropped once past it. The worker's maintenance job does it at start and every <see cref="MaintenanceInterval"/>.
/// </summary>
public sealed class PartitionOptions
{
    public const string Section = "Storage";

    /// <summary>
    /// False: this worker leaves the partitions alone (a DBA or pg_partman keeps them, or the worker's database role may
    /// not run DDL); events still land in the default partition when none covers them. Default true.
    /// </summary>
    public bool ManagePartitions { get; set; } = true;

    /// <summary>The time one partition covers, aligned to UTC midnight. Whole hours dividing a day, or whole days. Default 1 day.</summary>
    public TimeSpan PartitionInterval { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Partitions kept ready after the current one. Default 3.</summary>
    public int PartitionsAhead { get; set; } = 3;

    /// <summary>Partitions whose whole range is older than this are dropped; none (the default): everything is kept.</summary>
    public TimeSpan? Retention { get; set; }

    /// <summary>Time between maintenance runs. Default 10 minutes.</summary>
    public TimeSpan MaintenanceInterval { get; set; } = TimeSpan.FromMinutes(10);

    internal IEnumerable<string> Problems()
    {
        var interval = PartitionInterval;
        var wholeHoursDividingADay = interval >= TimeSpan.FromHours(1) && interval < TimeSpan.FromDays(1)
            && interval.Ticks % TimeSpan.TicksPerHour == 0 && TimeSpan.TicksPerDay % interval.Ticks == 0;
        var wholeDays = interval >= TimeSpan.FromDays(1) && interval <= TimeSpan.FromDays(31) && interval.Ticks % TimeSpan.TicksPerDay == 0;
        if (!wholeHoursDividingADay && !wholeDays)
        {
            yield return $"{Section}:PartitionInterval must be whole hours that divide a day (01:00:00, 02:00:00, ... 12:00:00) or 1 to 31 whole days "
                + $"(got {interval}).";
        }
        if (PartitionsAhead is < 1 or > 366)
        {
            yield return $"{Section}:PartitionsAhead must be between 1 and 366 (got {PartitionsAhead}).";
        }
        if (Retention is { } retention && retention < interval)
        {
            yield return $"{Section}:Retention ({retention}) must be at least one PartitionInterval ({interval}); leave it unset to keep everything.";
        }
        if (MaintenanceInterval < TimeSpan.FromSeconds(1) || MaintenanceInterval > TimeSpan.FromDays(1))
        {
            yield return $"{Section}:MaintenanceInterval must be between 1 second and 1 day (got {MaintenanceInterval}).";
        }
    }
}
