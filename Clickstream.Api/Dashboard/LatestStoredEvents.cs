using Clickstream.Api.ReadModel;
using Microsoft.EntityFrameworkCore;

namespace Clickstream.Api.Dashboard;

/// <summary>
/// The newest stored of the events this API accepted last (<see cref="RecentlyAccepted"/>), by <c>stored_at</c>, for the
/// dashboard: found by primary key, so the read costs the same whatever the table's size. Read at most once a second
/// whatever the number of open dashboards: viewers arriving while a read runs wait for that read instead of starting another.
/// Without a database (an API configured without one) it reports the read side as unavailable instead of failing.
/// </summary>
internal sealed class LatestStoredEvents
{
    public const int Count = 20;

    private static readonly TimeSpan FreshFor = TimeSpan.FromSeconds(1);

    // While the database cannot be read, ask it less often: each failed query is also an error in the log (EF Core's).
    private static readonly TimeSpan UnavailableFor = TimeSpan.FromSeconds(5);

    // A failsafe for a database that accepts connections but does not answer: the page then says it cannot be read.
    private static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(5);

    private readonly IServiceScopeFactory _scopes;
    private readonly RecentlyAccepted _accepted;
    private readonly TimeProvider _time;
    private readonly ILogger<LatestStoredEvents> _logger;
    private readonly SharedRead<RecentEvents> _read;

    public LatestStoredEvents(IServiceScopeFactory scopes, RecentlyAccepted accepted, TimeProvider time, ILogger<LatestStoredEvents> logger)
    {
        _scopes = scopes;
        _accepted = accepted;
        _time = time;
        _logger = logger;
        _read = new SharedRead<RecentEvents>(QueryAsync, recent => recent.Available ? FreshFor : UnavailableFor, time);
    }

    public Task<RecentEvents> ReadAsync() => _read.ReadAsync();

    private Task<RecentEvents> QueryAsync() => DashboardReads.OrUnavailableAsync(async () =>
    {
        using var timeout = new CancellationTokenSource(QueryTimeout, _time);
        await using var scope = _scopes.CreateAsyncScope();
        var (ids, from, to) = _accepted.Recent();
        // Asked even with no ids: the page then says whether the database can be read.
        var accepted = scope.ServiceProvider.GetRequiredService<EventsReadContext>().Events.Where(e => ids.Contains(e.EventId));
        if (from is { } earliest && to is { } latest)
        {
            // Only the partitions of the accepted events' times are probed, not every partition.
            accepted = accepted.Where(e => e.EventTime >= earliest && e.EventTime <= latest);
        }
        var events = await accepted
            .OrderByDescending(e => e.StoredAt)
            .ThenByDescending(e => e.EventId)
            .Take(Count)
            .Select(e => new RecentEvent(e.EventId, e.UserId, e.EventType, e.Page, e.StoredAt))
            .ToListAsync(timeout.Token);
        return RecentEvents.Read(events);
    }, RecentEvents.Unavailable, "stored events", _logger);
}
