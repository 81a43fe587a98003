namespace Clickstream.Api.Dashboard.Figures;

/// <summary>
/// Where the dashboard's listener hands one instrument's measurements (the state it enabled the instrument with).
/// Counters and histograms call it on the pipeline's hot paths: implementations add to preallocated cells, without
/// allocating or locking.
/// </summary>
internal interface IMeasurementSink
{
    void Record(long value, ReadOnlySpan<KeyValuePair<string, object?>> tags);

    void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags);
}
