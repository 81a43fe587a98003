using Clickstream.Contracts;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Clickstream.Consumers.Storage;

/// <summary>
/// Stores click events in PostgreSQL with binary COPY, idempotently on <c>event_id</c>. A batch is one transaction.
/// Failures of the server or of its set-up stall, retried (see <see cref="TransientRetry"/>); any other failure may be a
/// row's (see <see cref="PostgresErrors"/>): the batch is bisected until the failing rows stand alone, each is returned as
/// rejected once a probe row shows the failure follows that row, and every other row is stored.
/// </summary>
public sealed class PostgresClickEventStore : IClickEventStore
{
    private const string StagingTable = "events_staging";

    // Staging lives per connection. LIKE ... INCLUDING DEFAULTS follows init.sql without repeating it; rows go at
    // commit, so a pooled connection that keeps the table reuses it empty.
    private const string CreateStaging =
        $"CREATE TEMP TABLE IF NOT EXISTS {StagingTable} (LIKE events INCLUDING DEFAULTS) ON COMMIT DELETE ROWS";

    private const string InsertFromStaging =
        $"INSERT INTO events ({ClickEventCopy.Columns}) SELECT {ClickEventCopy.Columns} FROM {StagingTable} ON CONFLICT (event_id, event_time) DO NOTHING";

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
        catch (Exception e) when (PostgresErrors.Classify(e) == Blame.Row && !cancellationToken.IsCancellationRequested)
        {
            if (rows.Count == 1)
            {
                return await IsolatedAsync(rows, e, cancellationToken);
            }

            // Which row is at fault is not reliably in the error; halving finds k bad rows in about 2k·log2(n) COPYs,
            // and every half that passes is committed on the way.
            var half = rows.Count / 2;
            var first = await WriteOrBisectAsync(rows[..half], cancellationToken);
            var second = await WriteOrBisectAsync(rows[half..], cancellationToken);
            return first.Add(second);
        }
    }

    /// <summary>
    /// One row failed alone. It is the row's failure only if it follows the row and not every row: a probe row (a plain
    /// valid event, written and rolled back) must pass. If the probe fails too, the database's set-up refuses every row
    /// (a constraint nothing meets, a trigger that always raises): stall like any set-up failure and retry the row,
    /// rather than dead-letter the whole stream one row at a time.
    /// </summary>
    private async Task<StoreOutcome> IsolatedAsync(ArraySegment<ClickEvent> row, Exception failure, CancellationToken cancellationToken)
    {
        // The batch waits from the first probe that fails until the row is stored or rejected: counted as stalled once,
        // so the retries inside do not count it again.
        IDisposable? stall = null;
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                if (await _retry.ExecuteAsync("Probing the events table", ProbeAsync, cancellationToken, countsAsStall: stall is null) is not { } probeFailure)
                {
                    var reason = PostgresErrors.Describe(failure);
                    StoreLog.ProbePassed(_logger, row[0].EventId, reason);
                    StoreLog.Rejected(_logger, row[0].EventId, row[0].UserId, reason);
                    return new StoreOutcome(0, 0, [new RejectedEvent(row.Offset, row[0], reason, failure)]);
                }

                var delay = _retry.Delay(attempt);
                _retry.SetUpFailure(probeFailure, "Storing events", attempt, delay);
                stall ??= _retry.Stalled();
                await Task.Delay(delay, cancellationToken);
                try
                {
                    return await _retry.ExecuteAsync("Storing events", ct => WriteOnceAsync(row, ct), cancellationToken, countsAsStall: false);
                }
                catch (Exception e) when (PostgresErrors.Classify(e) == Blame.Row && !cancellationToken.IsCancellationRequested)
                {
                    failure = e;
                }
            }
        }
        finally
        {
            stall?.Dispose();
        }
    }

    /// <summary>Writes a valid event the way <see cref="Strategy"/> writes rows, then rolls it back: null if it passed.</summary>
    private async Task<Exception?> ProbeAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        // Never committed: disposing the transaction rolls the probe back.
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        try
        {
            ClickEvent[] probe = [ProbeRow()];
            if (Strategy == CopyStrategy.DirectWithStagingFallback)
            {
                await ClickEventCopy.WriteAsync(connection, "events", probe, cancellationToken);
            }
            else
            {
                await CopyThroughStagingAsync(connection, transaction, probe, cancellationToken);
            }
            return null;
        }
        catch (Exception e) when (PostgresErrors.Classify(e) == Blame.Row && !cancellationToken.IsCancellationRequested)
        {
            return e;
        }
    }

    // An event as the API would accept it now: a failure this row meets too is not the data's.
    private static ClickEvent ProbeRow() => new()
    {
        EventId = Guid.NewGuid(),
        UserId = 1,
        EventType = "clickstream.probe",
        Page = "/",
        EventTime = DateTimeOffset.UtcNow,
        ReceivedAt = DateTimeOffset.UtcNow,
        UserAgent = "clickstream.probe",
        // TEST-NET-1 (RFC 5737), truncated as the API truncates by default.
        ClientAddress = new System.Net.IPNetwork(new System.Net.IPAddress([192, 0, 2, 0]), 24),
    };

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

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var outcome = await CopyThroughStagingAsync(connection, transaction, rows, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return outcome;
    }

    private static async Task<StoreOutcome> CopyThroughStagingAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        IReadOnlyList<ClickEvent> rows, CancellationToken cancellationToken)
    {
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
        return new StoreOutcome(inserted, rows.Count - inserted, []);
    }
}
