using Clickstream.Api.ReadModel;
using Clickstream.Consumers.Storage.Partitions;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Clickstream.Api.Dashboard;

/// <summary>
/// The partitions of <c>events</c> for the dashboard: how many, the time they cover, and the rows waiting in
/// <c>events_default</c> (events of a time no partition covers yet: a few at most while the worker's maintenance runs,
/// more when it does not). Read at most every 10 seconds: the maintenance changes them every few minutes.
/// </summary>
internal sealed class StoragePartitions
{
    private static readonly TimeSpan FreshFor = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(5);

    // Counts at most CountedUpTo rows: cheap however many wait.
    private static readonly string WaitingInDefault =
        $"SELECT count(*) FROM (SELECT 1 FROM {EventPartitions.Default} LIMIT {PartitionFigures.CountedUpTo}) waiting";

    private readonly IServiceScopeFactory _scopes;
    private readonly TimeProvider _time;
    private readonly ILogger<StoragePartitions> _logger;
    private readonly SharedRead<PartitionFigures> _read;

    public StoragePartitions(IServiceScopeFactory scopes, TimeProvider time, ILogger<StoragePartitions> logger)
    {
        _scopes = scopes;
        _time = time;
        _logger = logger;
        _read = new SharedRead<PartitionFigures>(QueryAsync, _ => FreshFor, time);
    }

    public Task<PartitionFigures> ReadAsync() => _read.ReadAsync();

    private Task<PartitionFigures> QueryAsync() => DashboardReads.OrUnavailableAsync(async () =>
    {
        using var timeout = new CancellationTokenSource(QueryTimeout, _time);
        await using var scope = _scopes.CreateAsyncScope();
        var connection = (NpgsqlConnection)scope.ServiceProvider.GetRequiredService<EventsReadContext>().Database.GetDbConnection();
        await connection.OpenAsync(timeout.Token);
        var partitions = await EventPartitions.ListAsync(connection, timeout.Token);
        // A table that is not partitioned (a DBA's own layout) has no default partition to count.
        var waiting = 0L;
        if (partitions.Any(p => p.IsDefault))
        {
            await using var count = new NpgsqlCommand(WaitingInDefault, connection);
            waiting = (long)(await count.ExecuteScalarAsync(timeout.Token))!;
        }
        return PartitionFigures.Read(partitions, waiting);
    }, PartitionFigures.Unavailable, "the partitions", _logger);
}
