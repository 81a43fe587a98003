using Microsoft.EntityFrameworkCore;

namespace Clickstream.Api.ReadModel;

internal sealed class StoredEventReader(EventsReadContext context) : IStoredEventReader
{
    public Task<StoredEvent?> FindAsync(Guid eventId, CancellationToken cancellationToken = default) =>
        context.Events.AsNoTracking().SingleOrDefaultAsync(e => e.EventId == eventId, cancellationToken);

    public Task<long> CountAsync(CancellationToken cancellationToken = default) =>
        context.Events.LongCountAsync(cancellationToken);
}
