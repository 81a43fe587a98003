using System.Diagnostics.Metrics;
using Clickstream.Consumers.Storage;

namespace Clickstream.Benchmarks.Infrastructure;

/// <summary>
/// The rows the in-process worker reports committed (its <see cref="StoreMetrics.RowsInserted"/> counter), read without
/// asking PostgreSQL. Polling <c>count(*)</c> every 100 ms scanned the growing table: it cost the server about as much
/// CPU per row as a tenth of the COPY itself and was counted against the drain. Totals are still checked with one
/// exact count at the end.
/// </summary>
public sealed class InsertedRows : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _rows;

    public InsertedRows()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument is { Name: StoreMetrics.RowsInserted, Meter.Name: StoreMetrics.MeterName })
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _rows, value));
        _listener.Start();
    }

    /// <summary>Rows committed since this listener started, by every worker host in the process.</summary>
    public long Count => Interlocked.Read(ref _rows);

    public void Dispose() => _listener.Dispose();
}
