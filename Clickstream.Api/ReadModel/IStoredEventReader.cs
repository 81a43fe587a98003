namespace Clickstream.Api.ReadModel;

/// <summary>Reads stored click events (for the API's <c>GET /events/{id}</c> and the tests).</summary>
public interface IStoredEventReader
{
    /// <summary>The stored event with this id, or null.</summary>
    Task<StoredEvent?> FindAsync(Guid eventId, CancellationToken cancellationToken = default);

    /// <summary>How many events are stored.</summary>
    Task<long> CountAsync(CancellationToken cancellationToken = default);
}
