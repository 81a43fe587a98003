using Clickstream.Contracts;

namespace Clickstream.Api.Dashboard;

/// <summary>
/// The ids of the last events this API accepted, for the dashboard's "last events stored": looking those up by
/// primary key costs the same on a table of a billion rows as on an empty one, where "the newest rows by stored_at"
/// would scan the table every second (no index on stored_at: it would slow every COPY).
/// </summary>
internal sealed class RecentlyAccepted
{
    /// <summary>Enough that the newest events stored are among them while the consumers lag by a few batches.</summary>
    public const int Capacity = 1_000;

    private readonly Lock _gate = new();
    private readonly Guid[] _ids = new Guid[Capacity];
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
                _next = (_next + 1) % Capacity;
            }
            _count = Math.Min(Capacity, _count + events.Count);
        }
    }

    public Guid[] Ids()
    {
        lock (_gate)
        {
            return _count < Capacity ? _ids[.._count] : [.. _ids];
        }
    }
}
