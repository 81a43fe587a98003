using Clickstream.Contracts;

namespace Clickstream.Consumers.Storage;

/// <summary>Where click events are persisted, once each, however often they are delivered.</summary>
public interface IClickEventStore
{
    /// <summary>
    /// Stores <paramref name="events"/>; an event whose id is already stored is skipped. Transient failures are retried
    /// inside until they pass or <paramref name="cancellationToken"/> is canceled (then nothing is known to be stored,
    /// and the caller must not acknowledge the events). Events the database rejects for good are returned, not thrown,
    /// so the rest of the batch is stored.
    /// </summary>
    Task<StoreOutcome> WriteAsync(IReadOnlyList<ClickEvent> events, CancellationToken cancellationToken);
}
