using System.Diagnostics.Metrics;
using System.Numerics;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Clickstream.Tests.Telemetry;

/// <summary>
/// One instrument's measurements as a listener of one host's <see cref="IMeterFactory"/> sees them, from the moment this
/// is created: a test reads its own host's values only, whatever else runs in parallel.
/// </summary>
internal sealed class Measured<T> : IDisposable
    where T : struct, INumber<T>
{
    private readonly MetricCollector<T> _collector;

    public Measured(IMeterFactory meters, string meter, string instrument) => _collector = new MetricCollector<T>(meters, meter, instrument);

    /// <summary>The sum of the values recorded with all of <paramref name="tags"/> (a counter's total since creation).</summary>
    public T Sum(params (string Key, object? Value)[] tags)
    {
        var sum = T.Zero;
        foreach (var measurement in Matching(_collector.GetMeasurementSnapshot(), tags))
        {
            sum += measurement.Value;
        }
        return sum;
    }

    /// <summary>How many values were recorded with all of <paramref name="tags"/> (a histogram's count).</summary>
    public int Count(params (string Key, object? Value)[] tags) => Matching(_collector.GetMeasurementSnapshot(), tags).Count;

    /// <summary>Every value recorded so far.</summary>
    public IReadOnlyList<CollectedMeasurement<T>> All => _collector.GetMeasurementSnapshot();

    /// <summary>An observable gauge now: observes it once and returns what that observation reported, with all of <paramref name="tags"/>.</summary>
    public IReadOnlyList<CollectedMeasurement<T>> Observe(params (string Key, object? Value)[] tags)
    {
        _collector.Clear();
        _collector.RecordObservableInstruments();
        return Matching(_collector.GetMeasurementSnapshot(), tags);
    }

    /// <summary>The sum of what a gauge reports now over its tag sets with all of <paramref name="tags"/>.</summary>
    public T ObservedSum(params (string Key, object? Value)[] tags)
    {
        var sum = T.Zero;
        foreach (var measurement in Observe(tags))
        {
            sum += measurement.Value;
        }
        return sum;
    }

    public void Dispose() => _collector.Dispose();

    private static List<CollectedMeasurement<T>> Matching(IReadOnlyList<CollectedMeasurement<T>> measurements, (string Key, object? Value)[] tags) =>
        measurements.Where(m => tags.All(t => m.Tags.TryGetValue(t.Key, out var value) && Equals(value, t.Value))).ToList();
}
