using Clickstream.Contracts;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Clickstream.Consumers.Storage;

/// <summary>
/// Stores click events in PostgreSQL with binary COPY, idempotently on <c>event_id</c>. A batch is one transaction;
/// transient failures are retried (see <see cref="TransientRetry"/>); when the data of some rows is refused, the batch is
/// bisected until those rows stand alone, they are returned as rejected, and every other row is stored.
/// </summary>
public sealed class PostgresClickEventStore : IClickEventStore
{
    private const string StagingTable = "events_staging";

    // Staging lives per connection. LIKE ... INCLUDING DEFAULTS follows init.sql without repeating it; rows go at
    // commit, so a pooled connection that keeps the table reuses it empty.
    private const string CreateStaging =
        $"CREATE TEMP TABLE IF NOT EXISTS {StagingTable} (LIKE events INCLUDING DEFAULTS) ON COMMIT DELETE ROWS";

    private const string InsertFromStaging =
        $"INSERT INTO events ({ClickEventCopy.Columns}) SELECT {ClickEventCopy.Columns} FROM {StagingTable} ON CONFLICT (event_id) DO NOTHING";

    private readonly NpgsqlDataSource _dataSource;
    private readonly TransientRetry _retry;
    private readonly ILogger<PostgresClickEventStore> _logger;

    internal PostgresClickEventStore(NpgsqlDataSource dataSource, TransientRetry retry, ILogger<PostgresClickEventStore> logger,
        CopyStrategy strategy = CopyStrategy.DirectWithStagingFallback)
    {
        _dataSource = dataSource;
        _retry = retry;
        _logger = logger;
        Strategy = strategy;
    }

    public CopyStrategy Strategy { get; }

    public async Task<StoreOutcome> WriteAsync(IReadOnlyList<ClickEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            return StoreOutcome.Empty;
        }

        var rows = events as ClickEvent[] ?? [.. events];
        return await WriteOrBisectAsync(new ArraySegment<ClickEvent>(rows), cancellationToken);
    }

    private async Task<StoreOutcome> WriteOrBisectAsync(ArraySegment<ClickEvent> rows, CancellationToken cancellationToken)
    {
        try
        {
            return await _retry.ExecuteAsync("Storing events", ct => WriteOnceAsync(rows, ct), cancellationToken);
        }
        catch (Exception e) when (PostgresErrors.IsRowRejection(e))
        {
            if (rows.Count == 1)
            {
                var reason = PostgresErrors.Describe(e);
                StoreLog.Rejected(_logger, rows[0].EventId, rows[0].UserId, reason);
                return new StoreOutcome(0, 0, [new RejectedEvent(rows.Offset, rows[0], reason, e)]);
            }

            // Which row is at fault is not reliably in the error; halving finds k bad rows in about 2k·log2(n) COPYs,
            // and every half that passes is committed on the way.
            var half = rows.Count / 2;
            var first = await WriteOrBisectAsync(rows[..half], cancellationToken);
            var second = await WriteOrBisectAsync(rows[half..], cancellationToken);
            return first.Add(second);
        }
    }

    private async Task<StoreOutcome> WriteOnceAsync(IReadOnlyList<ClickEvent> rows, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        if (Strategy == CopyStrategy.DirectWithStagingFallback)
        {
            try
            {
                // Outside an explicit transaction COPY is its own: all rows or none.
                var copied = await ClickEventCopy.WriteAsync(connection, "events", rows, cancellationToken);
                return new StoreOutcome(checked((int)copied), 0, []);
            }
            catch (PostgresException e) when (PostgresErrors.IsUniqueViolation(e))
            {
                StoreLog.DuplicateFallback(_logger, rows.Count);
            }
        }

        return await CopyThroughStagingAsync(connection, rows, cancellationToken);
    }

    private static async Task<StoreOutcome> CopyThroughStagingAsync(NpgsqlConnection connection, IReadOnlyList<ClickEvent> rows,
        CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var create = new NpgsqlCommand(CreateStaging, connection, transaction))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        await ClickEventCopy.WriteAsync(connection, StagingTable, rows, cancellationToken);
        int inserted;
        await using (var insert = new NpgsqlCommand(InsertFromStaging, connection, transaction))
        {
            inserted = await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return new StoreOutcome(inserted, rows.Count - inserted, []);
    }
}
