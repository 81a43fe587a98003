using Clickstream.Contracts;

namespace Clickstream.Api.Dashboard;

/// <summary>
/// The ids and event times of the last events this API accepted, for the dashboard's "last events stored": looking
/// those up by primary key costs the same on a table of a billion rows as on an empty one, where "the newest rows by
/// stored_at" would scan the table every second (no index on stored_at: it would slow every COPY). The times bound the
/// lookup to the partitions that can hold them: 1,000 ids probed in each of 60 daily partitions took 236 ms a read,
/// bounded to today's 3.4 ms (pgbench, docs/benchmarks.md).
/// </summary>
internal sealed class RecentlyAccepted
{
    /// <summary>Enough that the newest events stored are among them while the consumers lag by a few batches.</summary>
    public const int Capacity = 1_000;

    // Stored times are cut to the microsecond: the bounds are a millisecond wider than the times accepted.
    private static readonly TimeSpan Margin = TimeSpan.FromMilliseconds(1);

    private readonly Lock _gate = new();
    private readonly Guid[] _ids = new Guid[Capacity];
    private readonly DateTimeOffset[] _times = new DateTimeOffset[Capacity];
    private int _next;
    private int _count;

    /// <summary>Once per acknowledged request: one lock, no allocation.</summary>
    public void Record(IReadOnlyList<ClickEvent> events)
    {
        lock (_gate)
        {
            for (var i = Math.Max(0, events.Count - Capacity); i < events.Count; i++)
            {
                _ids[_next] = events[i].EventId;
                _times[_next] = events[i].EventTime;
                _next = (_next + 1) % Capacity;
            }
            _count = Math.Min(Capacity, _count + events.Count);
        }
    }

    /// <summary>The ids, and the span of their event times (UTC, with a margin); null bounds when nothing was accepted yet.</summary>
    public (Guid[] Ids, DateTimeOffset? From, DateTimeOffset? To) Recent()
    {
        lock (_gate)
        {
            if (_count == 0)
            {
                return ([], null, null);
            }
            var times = _times.AsSpan(0, _count);
            var from = times[0];
            var to = times[0];
            foreach (var time in times)
            {
                from = time < from ? time : from;
                to = time > to ? time : to;
            }
            return (_count < Capacity ? _ids[.._count] : [.. _ids], (from - Margin).ToUniversalTime(), (to + Margin).ToUniversalTime());
        }
    }
}
