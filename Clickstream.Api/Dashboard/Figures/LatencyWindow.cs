namespace Clickstream.Api.Dashboard.Figures;

/// <summary>
/// A histogram of durations (seconds) per second over a window of recent seconds, for p50 and p99 over the window.
/// Buckets are logarithmic, eight per doubling from 100 µs to about 100 s (each about 9 % wide), so a quantile is
/// within a few percent of the true value at any scale while a measurement costs one increment of a preallocated
/// cell: no lock, no allocation, whatever the rate.
/// </summary>
internal sealed class LatencyWindow : IMeasurementSink
{
    public const double Smallest = 0.0001;
    public const int PerDoubling = 8;
    private const int Doublings = 20;

    // Bucket 0 holds what is below Smallest, the last one what is above Smallest * 2^Doublings.
    private const int Buckets = PerDoubling * Doublings + 2;

    private readonly Lock _gate = new();
    private readonly long[] _pending = new long[Buckets];
    private readonly long[][] _counts;
    private readonly long[] _stamps;

    public LatencyWindow(int seconds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(seconds, 1);
        _counts = Enumerable.Range(0, seconds).Select(_ => new long[Buckets]).ToArray();
        _stamps = new long[seconds];
        Array.Fill(_stamps, long.MinValue);
    }

    public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags) => Interlocked.Increment(ref _pending[BucketOf(value)]);

    public void Record(long value, ReadOnlySpan<KeyValuePair<string, object?>> tags) => Record((double)value, tags);

    /// <summary>Counts what was recorded since the last close as <paramref name="second"/>'s.</summary>
    public void Close(long second)
    {
        lock (_gate)
        {
            var slot = (int)(((second % _counts.Length) + _counts.Length) % _counts.Length);
            var counts = _counts[slot];
            if (_stamps[slot] != second)
            {
                _stamps[slot] = second;
                Array.Clear(counts);
            }
            for (var bucket = 0; bucket < Buckets; bucket++)
            {
                counts[bucket] += Interlocked.Exchange(ref _pending[bucket], 0);
            }
        }
    }

    /// <summary>How many durations the closed seconds of <paramref name="window"/> hold, and their p50 and p99 (null when none).</summary>
    public LatencyReading Read(SecondsWindow window)
    {
        var merged = new long[Buckets];
        lock (_gate)
        {
            for (var slot = 0; slot < _counts.Length; slot++)
            {
                if (_stamps[slot] >= window.First && _stamps[slot] <= window.LastClosed)
                {
                    for (var bucket = 0; bucket < Buckets; bucket++)
                    {
                        merged[bucket] += _counts[slot][bucket];
                    }
                }
            }
        }
        var count = merged.Sum();
        return count == 0
            ? new LatencyReading(0, null, null)
            : new LatencyReading(count, Quantile(merged, count, 0.50), Quantile(merged, count, 0.99));
    }

    // The value at rank q·count, interpolated linearly inside its bucket.
    private static double Quantile(long[] merged, long count, double q)
    {
        var rank = q * count;
        long below = 0;
        for (var bucket = 0; bucket < Buckets; bucket++)
        {
            var inBucket = merged[bucket];
            if (inBucket > 0 && below + inBucket >= rank)
            {
                var lower = LowerBound(bucket);
                return lower + ((UpperBound(bucket) - lower) * Math.Clamp((rank - below) / inBucket, 0, 1));
            }
            below += inBucket;
        }
        return LowerBound(Buckets - 1);
    }

    private static int BucketOf(double seconds) =>
        seconds >= Smallest // false for NaN too
            ? Math.Min(1 + (int)(Math.Log2(seconds / Smallest) * PerDoubling), Buckets - 1)
            : 0;

    private static double LowerBound(int bucket) => bucket == 0 ? 0 : Smallest * Math.Pow(2, (bucket - 1) / (double)PerDoubling);

    // The last bucket has no upper bound: its values are reported as its lower one.
    private static double UpperBound(int bucket) => bucket == Buckets - 1 ? LowerBound(bucket) : Smallest * Math.Pow(2, bucket / (double)PerDoubling);
}

/// <summary>Durations in a window: how many, and their p50 and p99 in seconds (null when there were none).</summary>
internal readonly record struct LatencyReading(long Count, double? P50, double? P99);
