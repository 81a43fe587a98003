using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Clickstream.Consumers.Storage;

namespace Clickstream.Benchmarks.Infrastructure;

/// <summary>
/// The rows the in-process worker reports committed (its <see cref="StoreMetrics.RowsInserted"/> counter), read without
/// asking PostgreSQL. Polling <c>count(*)</c> every 100 ms scanned the growing table: it cost the server about as much
/// CPU per row as a tenth of the COPY itself and was counted against the drain. Totals are still checked with one
/// exact count at the end.
/// </summary>
/// <remarks>
/// Every host's store has its own meter (from the host's <see cref="IMeterFactory"/>), and other hosts may run in the
/// same process (the tests run scenarios beside other tests' workers): rows are counted per meter from the start, and
/// a drain reads those of its own host, so none is missed before the host is known and none of another host counts.
/// </remarks>
public sealed class InsertedRows : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Meter, long> _rows = new();

    public InsertedRows()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument is { Name: StoreMetrics.RowsInserted, Meter.Name: StoreMetrics.MeterName })
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => _rows.AddOrUpdate(instrument.Meter, value, (_, rows) => rows + value));
        _listener.Start();
    }

    /// <summary>Rows committed since this listener started by the worker host whose meters <paramref name="meters"/> made.</summary>
    public long CountOf(IMeterFactory meters)
    {
        long rows = 0;
        foreach (var (meter, count) in _rows)
        {
            if (ReferenceEquals(meter.Scope, meters))
            {
                rows += count;
            }
        }
        return rows;
    }

    public void Dispose() => _listener.Dispose();
}
