using Clickstream.Consumers.Storage.Partitions;

namespace Clickstream.Api.Dashboard;

/// <summary>The partitions of <c>events</c> as the dashboard shows them, or why they cannot be read.</summary>
/// <param name="Available">False when the database cannot be read: <paramref name="Reason"/> says why.</param>
/// <param name="Count">Partitions with a range (the default partition not counted).</param>
/// <param name="From">Where the oldest range starts; null when it starts at MINVALUE (a former single table) or there is none.</param>
/// <param name="To">Where the newest range ends: events from then on wait in the default partition until one is made.</param>
/// <param name="WaitingInDefault">Rows in <c>events_default</c>, counted up to <see cref="CountedUpTo"/>.</param>
internal sealed record PartitionFigures(bool Available, string? Reason, int Count, DateTimeOffset? From, DateTimeOffset? To, long WaitingInDefault)
{
    /// <summary>Rows of the default partition counted at most: past it the figure means "at least this many".</summary>
    public const long CountedUpTo = 10_000;

    /// <summary><see cref="CountedUpTo"/>, for the page: a figure that reaches it means "at least this many".</summary>
    public long WaitingCountedUpTo => CountedUpTo;

    public static PartitionFigures Read(IReadOnlyList<EventPartition> partitions, long waitingInDefault)
    {
        var ranges = partitions.Where(p => !p.IsDefault).ToList();
        return new(true, null, ranges.Count, ranges.Count > 0 ? ranges.Min(p => p.From) : null, ranges.Count > 0 ? ranges.Max(p => p.To) : null,
            waitingInDefault);
    }

    public static PartitionFigures Unavailable(string reason) => new(false, reason, 0, null, null, 0);
}
