using Microsoft.EntityFrameworkCore;

namespace Clickstream.Api.ReadModel;

internal sealed class StoredEventReader(EventsReadContext context) : IStoredEventReader
{
    public Task<StoredEvent?> FindAsync(Guid eventId, CancellationToken cancellationToken = default) =>
        // One probe of each partition's primary key. An id a client reused with another event_time has two rows: the first stored.
        context.Events.AsNoTracking().Where(e => e.EventId == eventId).OrderBy(e => e.StoredAt).FirstOrDefaultAsync(cancellationToken);

    public Task<long> CountAsync(CancellationToken cancellationToken = default) =>
        context.Events.LongCountAsync(cancellationToken);
}
