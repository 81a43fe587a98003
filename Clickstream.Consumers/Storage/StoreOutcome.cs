using Clickstream.Contracts;

namespace Clickstream.Consumers.Storage;

/// <summary>What became of a batch: rows inserted, duplicates skipped, events the database refuses for good.</summary>
public sealed record StoreOutcome(int Inserted, int Duplicates, IReadOnlyList<RejectedEvent> Rejected)
{
    public static StoreOutcome Empty { get; } = new(0, 0, []);

    public StoreOutcome Add(StoreOutcome other) =>
        new(Inserted + other.Inserted, Duplicates + other.Duplicates, [.. Rejected, .. other.Rejected]);
}

/// <summary>An event that can never be stored: <paramref name="Index"/> is its position in the batch given to the store.</summary>
public sealed record RejectedEvent(int Index, ClickEvent Event, string Reason, Exception Exception);
