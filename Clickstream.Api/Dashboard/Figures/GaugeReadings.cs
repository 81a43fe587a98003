using System.Globalization;

namespace Clickstream.Api.Dashboard.Figures;

/// <summary>
/// The latest observation of observable gauges (lag per partition, say), one reading per tag set. Gauges are observed
/// in rounds, once a tick; a tag set missing from the latest round (a partition revoked since) is gone from it. Null
/// while no such gauge exists in the process, so a panel can tell "not reported" from 0.
/// </summary>
internal sealed class GaugeReadings : IMeasurementSink
{
    private readonly Lock _gate = new();
    private List<GaugeReading> _round = [];
    private IReadOnlyList<GaugeReading>? _latest;
    private int _instruments;

    /// <summary>The readings of the latest round, or null if no instrument of this gauge was there to observe.</summary>
    public IReadOnlyList<GaugeReading>? Latest
    {
        get
        {
            lock (_gate)
            {
                return _latest;
            }
        }
    }

    /// <summary>An instrument of this gauge is listened to from now on (several hosts' riders in one process, say).</summary>
    public void Attach() => Interlocked.Increment(ref _instruments);

    /// <summary>An instrument of this gauge is gone (its meter was disposed).</summary>
    public void Detach() => Interlocked.Decrement(ref _instruments);

    public void BeginRound()
    {
        lock (_gate)
        {
            _round = [];
        }
    }

    /// <summary>
    /// Ends the round: what it observed becomes <see cref="Latest"/>, also when that is nothing (an instrument that
    /// reported no partition: none is assigned).
    /// </summary>
    public void EndRound()
    {
        lock (_gate)
        {
            _latest = Volatile.Read(ref _instruments) > 0 ? _round : null;
        }
    }

    // Observed once a tick, never on a hot path: copying the tags is fine here.
    public void Record(long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var kept = new Dictionary<string, string>(tags.Length, StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            kept[tag.Key] = Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? string.Empty;
        }
        lock (_gate)
        {
            _round.Add(new GaugeReading(kept, value));
        }
    }

    public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags) => Record((long)value, tags);
}

/// <summary>One gauge value and the tags it was reported with.</summary>
internal sealed record GaugeReading(IReadOnlyDictionary<string, string> Tags, long Value)
{
    public string? Tag(string name) => Tags.TryGetValue(name, out var value) ? value : null;
}
