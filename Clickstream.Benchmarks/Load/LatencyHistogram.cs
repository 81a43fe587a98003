namespace Clickstream.Benchmarks.Load;

/// <summary>
/// Latencies in microseconds, log-linear buckets (exact below 2 ms, then 1,024 sub-buckets per power of two, so
/// under 0.1 % error), recorded lock-free from every client. An HdrHistogram in miniature: no package for 60 lines.
/// </summary>
public sealed class LatencyHistogram
{
    private const int LinearLimit = 2048;
    private const int SubBuckets = 1024;
    private const int MaxExponent = 40;
    private readonly long[] counts = new long[LinearLimit + (SubBuckets * (MaxExponent - 10))];
    private long total;

    public long Count => Interlocked.Read(ref total);

    public void Record(TimeSpan latency)
    {
        var micros = Math.Max(0, (long)(latency.Ticks / (TimeSpan.TicksPerMillisecond / 1000.0)));
        Interlocked.Increment(ref counts[Index(micros)]);
        Interlocked.Increment(ref total);
    }

    /// <summary>The latency at quantile <paramref name="q"/> (0..1) in milliseconds; 0 when nothing was recorded.</summary>
    public double Percentile(double q)
    {
        var count = Count;
        if (count == 0)
        {
            return 0;
        }
        var rank = (long)Math.Ceiling(q * count);
        long seen = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            seen += Interlocked.Read(ref counts[i]);
            if (seen >= Math.Max(rank, 1))
            {
                return UpperBound(i) / 1000.0;
            }
        }
        return UpperBound(counts.Length - 1) / 1000.0;
    }

    private static int Index(long micros)
    {
        if (micros < LinearLimit)
        {
            return (int)micros;
        }
        var msb = 63 - (int)long.LeadingZeroCount(micros); // ≥ 11
        var exponent = Math.Min(msb, MaxExponent - 1);
        var shift = exponent - 10;
        var sub = (int)((micros >> shift) & (SubBuckets - 1));
        return LinearLimit + (SubBuckets * (exponent - 11)) + sub;
    }

    private static long UpperBound(int index)
    {
        if (index < LinearLimit)
        {
            return index;
        }
        var exponent = ((index - LinearLimit) / SubBuckets) + 11;
        var sub = (index - LinearLimit) % SubBuckets;
        var shift = exponent - 10;
        return ((SubBuckets + (long)sub + 1) << shift) - 1;
    }
}
