using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Clickstream.Kafka.Telemetry;
using Npgsql;

namespace Clickstream.Consumers.Storage;

/// <summary>
/// The store's instruments, on the <see cref="MeterName"/> meter from the host's <see cref="IMeterFactory"/>: batch sizes
/// and store durations, rows inserted, duplicates and dead-lettered (by SQLSTATE), retries by the blamed side, and the
/// batches waiting to retry now (a stalled partition shows as more than zero). Recorded once per batch or per retry.
/// </summary>
public sealed class StoreMetrics
{
    public const string MeterName = "Clickstream.Consumers";

    /// <summary>The counter of new rows in events, added to once a batch's rows are committed.</summary>
    public const string RowsInserted = "clickstream.store.rows.inserted";

    private static readonly KeyValuePair<string, object?>[] StoredTags = [new("outcome", "stored")];
    private static readonly KeyValuePair<string, object?>[] FailedTags = [new("outcome", "failed")];
    private static readonly KeyValuePair<string, object?>[] ServerRetryTags = [new("error.type", "server")];
    private static readonly KeyValuePair<string, object?>[] SetUpRetryTags = [new("error.type", "setup")];
    private static readonly KeyValuePair<string, object?>[] NoSqlState = [];

    private readonly Histogram<long> _batchSize;
    private readonly Histogram<double> _batchDuration;
    private readonly Counter<long> _inserted;
    private readonly Counter<long> _duplicates;
    private readonly Counter<long> _deadLettered;
    private readonly Counter<long> _retries;
    // SQLSTATEs are a closed set of five-character codes: their tags are built the first time each is seen.
    private readonly ConcurrentDictionary<string, KeyValuePair<string, object?>[]> _sqlStateTags = new(StringComparer.Ordinal);
    private long _waiting;

    public StoreMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(MeterName);
        _batchSize = meter.CreateHistogram<long>("clickstream.store.batch.size", "{event}", "Events per batch given to the store.",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10_000] });
        _batchDuration = meter.CreateHistogram("clickstream.store.batch.duration", "s",
            "Time to store one batch, retries and bisecting included, by outcome (stored, failed).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets.Seconds });
        _inserted = meter.CreateCounter<long>(RowsInserted, "{row}", "New rows in events.");
        _duplicates = meter.CreateCounter<long>("clickstream.store.rows.duplicate", "{row}",
            "Events already stored (a redelivery), skipped.");
        _deadLettered = meter.CreateCounter<long>("clickstream.store.rows.dead_lettered", "{row}",
            "Events the database refuses for good, dead-lettered, by SQLSTATE (db.response.status_code).");
        _retries = meter.CreateCounter<long>("clickstream.store.retries", "{retry}",
            "Store attempts retried after a failure of the server or of the database's set-up (error.type).");
        meter.CreateObservableGauge("clickstream.store.stalled", () => Interlocked.Read(ref _waiting), "{batch}",
            "Batches waiting to retry now: their partitions are stalled while this is above zero.");
    }

    /// <summary>A batch of <paramref name="size"/> events, begun at <paramref name="started"/> (a Stopwatch timestamp), ended in <paramref name="outcome"/>.</summary>
    public void Stored(int size, StoreOutcome outcome, long started)
    {
        _batchSize.Record(size);
        _batchDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, StoredTags);
        if (outcome.Inserted > 0)
        {
            _inserted.Add(outcome.Inserted);
        }
        if (outcome.Duplicates > 0)
        {
            _duplicates.Add(outcome.Duplicates);
        }
        foreach (var rejected in outcome.Rejected)
        {
            _deadLettered.Add(1, SqlStateTags(rejected.Exception));
        }
    }

    /// <summary>A batch of <paramref name="size"/> events was not stored (the worker stopped mid-batch).</summary>
    public void Failed(int size, long started)
    {
        _batchSize.Record(size);
        _batchDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, FailedTags);
    }

    internal void Retried(Blame blame) => _retries.Add(1, blame == Blame.Server ? ServerRetryTags : SetUpRetryTags);

    /// <summary>A batch waits to retry; dispose the result when it stops waiting (stored, or given up on a stop).</summary>
    internal Stall Stalled()
    {
        Interlocked.Increment(ref _waiting);
        return new Stall(this);
    }

    private KeyValuePair<string, object?>[] SqlStateTags(Exception exception) => exception is PostgresException { SqlState: { } state }
        ? _sqlStateTags.GetOrAdd(state, static s => [new("db.response.status_code", s)])
        : NoSqlState;

    /// <summary>One batch counted in <c>clickstream.store.stalled</c> until disposed (once).</summary>
    internal sealed class Stall(StoreMetrics owner) : IDisposable
    {
        private int _ended;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0)
            {
                Interlocked.Decrement(ref owner._waiting);
            }
        }
    }
}
