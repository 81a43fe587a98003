using Clickstream.Consumers.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Clickstream.Consumers.Storage.Partitions;

/// <summary>
/// One maintenance run over the partitions of <c>events</c> (<see cref="PartitionOptions"/>): the partitions from the
/// current one to <see cref="PartitionOptions.PartitionsAhead"/> after it are made; rows the default partition caught
/// (an event of a range with no partition yet: late, or far ahead) move into the partition of their range, made for
/// them, or are deleted when past the retention; then, with a retention, the partitions wholly past it are dropped, one
/// at a time. Several workers run it: a session advisory lock lets one at a time do the work, the others skip the run.
/// Every step looks at what is there first, so a run cut short is simply run again.
/// </summary>
internal sealed class PartitionMaintenance(NpgsqlDataSource dataSource, IOptions<PartitionOptions> options, TimeProvider time,
    ILogger<PartitionMaintenance> logger)
{
    // Any constant will do, as long as every worker uses the same one (not the schema's: a schema upgrade and a
    // maintenance run may overlap).
    private const long MaintenanceLockKey = 0x436c69636b50; // "ClickP"

    private readonly PartitionOptions _options = options.Value;
    private readonly PartitionGrid _grid = new(options.Value.PartitionInterval);

    /// <summary>What a run did; null when another worker was running it.</summary>
    public async Task<MaintenanceRun?> RunAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (!await ScalarAsync<bool>(connection, $"SELECT pg_try_advisory_lock({MaintenanceLockKey})", cancellationToken))
        {
            return null;
        }
        try
        {
            var now = time.GetUtcNow();
            var run = new MaintenanceRun();
            var partitions = await EventPartitions.ListAsync(connection, cancellationToken);
            foreach (var (from, to) in _grid.Ahead(now, _options.PartitionsAhead))
            {
                await CreateUncoveredAsync(connection, partitions, from, to, run, cancellationToken);
            }
            var expiredBefore = _options.Retention is { } retention ? now - retention : (DateTimeOffset?)null;
            foreach (var cell in await EventPartitions.DefaultCellsAsync(connection, _grid.Interval, cancellationToken))
            {
                if (cell + _grid.Interval <= expiredBefore)
                {
                    continue; // deleted below, all at once
                }
                await CreateUncoveredAsync(connection, partitions, cell, cell + _grid.Interval, run, cancellationToken);
            }
            if (expiredBefore is { } before)
            {
                run.ExpiredDefaultRows = await EventPartitions.DeleteExpiredDefaultRowsAsync(connection, _grid.CellStart(before), cancellationToken);
                await DropExpiredAsync(connection, partitions, before, run, cancellationToken);
            }
            PartitionLog.Ran(logger, run.Created.Count, run.MovedRows, run.Dropped.Count, run.ExpiredDefaultRows, run.DropsPostponed);
            return run;
        }
        finally
        {
            await using var unlock = new NpgsqlCommand($"SELECT pg_advisory_unlock({MaintenanceLockKey})", connection);
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    // The part of [from, to) no partition covers yet: events_legacy may end inside a cell, and an earlier grid (another
    // interval) may have left partitions of other lengths. Only a remainder at the cell's end is made.
    private async Task CreateUncoveredAsync(NpgsqlConnection connection, List<EventPartition> partitions, DateTimeOffset from, DateTimeOffset to,
        MaintenanceRun run, CancellationToken cancellationToken)
    {
        var start = from;
        foreach (var p in partitions.Where(p => !p.IsDefault && (p.From ?? DateTimeOffset.MinValue) <= start && p.To > start))
        {
            start = p.To!.Value;
        }
        if (start >= to || partitions.Any(p => !p.IsDefault && p.From > start && p.From < to))
        {
            return;
        }
        var name = _grid.NameOf(start);
        var moved = await EventPartitions.CreateAsync(connection, name, start, to, cancellationToken);
        partitions.Add(new EventPartition(name, start, to));
        run.Created.Add(name);
        run.MovedRows += moved;
        PartitionLog.Created(logger, name, start, to, moved);
    }

    private async Task DropExpiredAsync(NpgsqlConnection connection, List<EventPartition> partitions, DateTimeOffset before,
        MaintenanceRun run, CancellationToken cancellationToken)
    {
        foreach (var expired in partitions.Where(p => !p.IsDefault && p.To <= before).OrderBy(p => p.To).ToList())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (await EventPartitions.DropAsync(connection, expired.Name, cancellationToken) is not { } rows)
            {
                // A long COPY holds the table: rather than make every COPY queue behind the drop, try again next run.
                run.DropsPostponed = true;
                PartitionLog.DropPostponed(logger, expired.Name, EventPartitions.DropLockTimeout);
                return;
            }
            partitions.Remove(expired);
            run.Dropped.Add(expired.Name);
            PartitionLog.Dropped(logger, expired.Name, expired.From, expired.To!.Value, rows, _options.Retention!.Value);
        }
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}

/// <summary>What one maintenance run did.</summary>
internal sealed class MaintenanceRun
{
    public List<string> Created { get; } = [];
    public List<string> Dropped { get; } = [];
    public long MovedRows { get; set; }
    public int ExpiredDefaultRows { get; set; }
    public bool DropsPostponed { get; set; }
}
