using Microsoft.EntityFrameworkCore;

namespace Clickstream.Api.ReadModel;

/// <summary>
/// Reads back stored events by id. <c>events</c> is partitioned by <c>event_time</c>, which a lookup by id does not
/// know: the id alone probes every partition. A UUIDv7 id's own time (<see cref="EventIdTime"/>) is looked in first,
/// within <see cref="IdTimeWindow"/> of it (one or two partitions), and only when the event is not there is every
/// partition probed.
/// </summary>
internal sealed class StoredEventReader(EventsReadContext context) : IStoredEventReader
{
    /// <summary>How far from its UUIDv7 id's time an event's event_time is looked for first.</summary>
    public static readonly TimeSpan IdTimeWindow = TimeSpan.FromHours(1);

    public async Task<StoredEvent?> FindAsync(Guid eventId, CancellationToken cancellationToken = default)
    {
        var events = context.Events.AsNoTracking().Where(e => e.EventId == eventId);
        if (EventIdTime.Of(eventId) is { } idTime)
        {
            var (from, to) = (idTime - IdTimeWindow, idTime + IdTimeWindow);
            if (await FirstStoredAsync(events.Where(e => e.EventTime >= from && e.EventTime < to), cancellationToken) is { } near)
            {
                return near;
            }
        }
        return await FirstStoredAsync(events, cancellationToken);
    }

    public Task<long> CountAsync(CancellationToken cancellationToken = default) =>
        context.Events.LongCountAsync(cancellationToken);

    // An id a client reused with another event_time has several rows: the first stored of those near the id's time, or
    // else the first stored of all.
    private static Task<StoredEvent?> FirstStoredAsync(IQueryable<StoredEvent> events, CancellationToken cancellationToken) =>
        events.OrderBy(e => e.StoredAt).FirstOrDefaultAsync(cancellationToken);
}
