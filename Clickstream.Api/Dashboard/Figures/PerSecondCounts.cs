using System.Collections.Concurrent;

namespace Clickstream.Api.Dashboard.Figures;

/// <summary>
/// One counter's counts per second over a window of recent seconds, split by the value of one tag (a refusal's reason,
/// say) or kept as one series. Measurements only add to a pending cell (one <see cref="Interlocked"/> add, no lock, no
/// allocation once a tag value was seen); the tick moves the pending count into the second that just closed.
/// </summary>
internal sealed class PerSecondCounts : IMeasurementSink
{
    /// <summary>The series for measurements without the split tag.</summary>
    public const string Untagged = "unknown";

    /// <summary>Distinct tag values kept apart; more (a tag that is not low-cardinality after all) are counted as <see cref="Overflow"/>.</summary>
    public const int MaxValues = 32;

    public const string Overflow = "other";

    private readonly int _seconds;
    private readonly string? _splitBy;
    private readonly ConcurrentDictionary<string, Tally> _tallies = new(StringComparer.Ordinal);

    /// <param name="seconds">How many closed seconds are kept.</param>
    /// <param name="splitBy">The tag whose values are counted apart; null for one series.</param>
    public PerSecondCounts(int seconds, string? splitBy = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(seconds, 1);
        _seconds = seconds;
        _splitBy = splitBy;
    }

    public void Record(long value, ReadOnlySpan<KeyValuePair<string, object?>> tags) => TallyOf(tags).Add(value);

    public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags) => TallyOf(tags).Add((long)value);

    /// <summary>Counts what was recorded since the last close as <paramref name="second"/>'s.</summary>
    public void Close(long second)
    {
        foreach (var tally in _tallies.Values)
        {
            tally.Close(second);
        }
    }

    /// <summary>Closed counts since listening started, by tag value (one entry, <see cref="string.Empty"/>, when not split).</summary>
    public IReadOnlyDictionary<string, long> Totals() =>
        _tallies.Where(t => t.Value.Total > 0).ToDictionary(t => t.Key, t => t.Value.Total, StringComparer.Ordinal);

    /// <summary>All closed counts since listening started.</summary>
    public long Total() => _tallies.Values.Sum(t => t.Total);

    /// <summary>Counts of each second of <paramref name="window"/>, oldest first, all tag values together.</summary>
    public long[] PerSecond(SecondsWindow window)
    {
        var counts = new long[window.Seconds];
        foreach (var tally in _tallies.Values)
        {
            for (var i = 0; i < counts.Length; i++)
            {
                counts[i] += tally.CountAt(window.First + i);
            }
        }
        return counts;
    }

    /// <summary>Per second over the last <paramref name="seconds"/> closed seconds (fewer when listening started later), all tag values together.</summary>
    public double Rate(SecondsWindow window, int seconds) => _tallies.Values.Sum(t => t.Rate(window, seconds));

    /// <summary><see cref="Rate"/> by tag value, for the values counted in those seconds.</summary>
    public IReadOnlyDictionary<string, double> RatesByValue(SecondsWindow window, int seconds) =>
        _tallies.Select(t => (t.Key, Rate: t.Value.Rate(window, seconds)))
            .Where(t => t.Rate > 0)
            .ToDictionary(t => t.Key, t => t.Rate, StringComparer.Ordinal);

    private Tally TallyOf(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var key = KeyOf(tags);
        if (_tallies.TryGetValue(key, out var tally))
        {
            return tally;
        }
        if (_tallies.Count >= MaxValues)
        {
            key = Overflow;
        }
        return _tallies.GetOrAdd(key, static (_, seconds) => new Tally(seconds), _seconds);
    }

    private string KeyOf(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (_splitBy is null)
        {
            return string.Empty;
        }
        foreach (var tag in tags)
        {
            if (tag.Key == _splitBy)
            {
                return tag.Value as string ?? tag.Value?.ToString() ?? Untagged;
            }
        }
        return Untagged;
    }

    /// <summary>One tag value's pending count and its ring of closed seconds.</summary>
    private sealed class Tally
    {
        private readonly Lock _gate = new();
        private readonly long[] _counts;
        private readonly long[] _stamps;
        private long _pending;
        private long _total;

        public Tally(int seconds)
        {
            _counts = new long[seconds];
            _stamps = new long[seconds];
            Array.Fill(_stamps, long.MinValue);
        }

        public long Total
        {
            get
            {
                lock (_gate)
                {
                    return _total;
                }
            }
        }

        public void Add(long value) => Interlocked.Add(ref _pending, value);

        public void Close(long second)
        {
            var count = Interlocked.Exchange(ref _pending, 0);
            lock (_gate)
            {
                var slot = Slot(second);
                if (_stamps[slot] != second)
                {
                    _stamps[slot] = second;
                    _counts[slot] = 0;
                }
                // A late tick may close the same second twice: add, never overwrite.
                _counts[slot] += count;
                _total += count;
            }
        }

        public long CountAt(long second)
        {
            lock (_gate)
            {
                var slot = Slot(second);
                return _stamps[slot] == second ? _counts[slot] : 0;
            }
        }

        public double Rate(SecondsWindow window, int seconds)
        {
            var observed = Math.Min(window.Observed(seconds), _counts.Length);
            if (observed == 0)
            {
                return 0;
            }
            long sum = 0;
            for (var second = window.LastClosed - observed + 1; second <= window.LastClosed; second++)
            {
                sum += CountAt(second);
            }
            return (double)sum / observed;
        }

        private int Slot(long second) => (int)(((second % _counts.Length) + _counts.Length) % _counts.Length);
    }
}
