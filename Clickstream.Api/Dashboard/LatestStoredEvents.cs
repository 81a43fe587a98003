using Clickstream.Api.ReadModel;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Clickstream.Api.Dashboard;

/// <summary>
/// The newest stored of the events this API accepted last (<see cref="RecentlyAccepted"/>), by <c>stored_at</c>, for the
/// dashboard: found by primary key, so the read costs the same whatever the table's size. Read at most once a second
/// whatever the number of open dashboards: viewers arriving while a read runs wait for that read instead of starting another.
/// Without a database (an API configured without one) it reports the read side as unavailable instead of failing.
/// </summary>
internal sealed partial class LatestStoredEvents(
    IServiceScopeFactory scopes, RecentlyAccepted accepted, TimeProvider time, ILogger<LatestStoredEvents> logger)
{
    public const int Count = 20;

    private static readonly TimeSpan FreshFor = TimeSpan.FromSeconds(1);

    // While the database cannot be read, ask it less often: each failed query is also an error in the log (EF Core's).
    private static readonly TimeSpan UnavailableFor = TimeSpan.FromSeconds(5);

    // A failsafe for a database that accepts connections but does not answer: the page then says it cannot be read.
    private static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(5);

    private readonly Lock _gate = new();
    private RecentEvents? _last;
    private DateTimeOffset _lastReadAt;
    private Task<RecentEvents>? _reading;

    public Task<RecentEvents> ReadAsync()
    {
        lock (_gate)
        {
            if (_last is not null && time.GetUtcNow() - _lastReadAt < (_last.Available ? FreshFor : UnavailableFor))
            {
                return Task.FromResult(_last);
            }
            return _reading ??= Task.Run(QueryAsync);
        }
    }

    private async Task<RecentEvents> QueryAsync()
    {
        RecentEvents result;
        try
        {
            using var timeout = new CancellationTokenSource(QueryTimeout, time);
            await using var scope = scopes.CreateAsyncScope();
            var ids = accepted.Ids();
            // Asked even with no ids: the page then says whether the database can be read.
            var events = await scope.ServiceProvider.GetRequiredService<EventsReadContext>().Events
                .Where(e => ids.Contains(e.EventId))
                .OrderByDescending(e => e.StoredAt)
                .ThenByDescending(e => e.EventId)
                .Take(Count)
                .Select(e => new RecentEvent(e.EventId, e.UserId, e.EventType, e.Page, e.StoredAt))
                .ToListAsync(timeout.Token);
            result = RecentEvents.Read(events);
        }
        catch (NoEventsDatabaseException e)
        {
            result = RecentEvents.Unavailable(e.Message);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or OperationCanceledException or InvalidOperationException { InnerException: NpgsqlException })
        {
            LogUnreadable(logger, e.Message);
            result = RecentEvents.Unavailable("The events database cannot be reached: stored events cannot be read now.");
        }
        lock (_gate)
        {
            _last = result;
            _lastReadAt = time.GetUtcNow();
            _reading = null;
        }
        return result;
    }

    // Debug: an open dashboard asks every second, and the page already says the database cannot be read.
    [LoggerMessage(Level = LogLevel.Debug, Message = "The dashboard could not read the latest stored events: {Reason}")]
    private static partial void LogUnreadable(ILogger logger, string reason);
}
