namespace Clickstream.Api.Dashboard;

/// <summary>The newest stored events, or why they cannot be read (no database configured, or it does not answer).</summary>
/// <param name="Available">False when the read side is unavailable: <paramref name="Reason"/> says why.</param>
internal sealed record RecentEvents(bool Available, string? Reason, IReadOnlyList<RecentEvent> Events)
{
    public static RecentEvents Read(IReadOnlyList<RecentEvent> events) => new(true, null, events);

    public static RecentEvents Unavailable(string reason) => new(false, reason, []);
}

/// <summary>A stored event, the few fields a person glances at.</summary>
internal sealed record RecentEvent(Guid EventId, long UserId, string EventType, string Page, DateTimeOffset StoredAt);
