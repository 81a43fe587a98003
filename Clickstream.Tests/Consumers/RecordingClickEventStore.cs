using System.Collections.Concurrent;
using Clickstream.Consumers.Storage;
using Clickstream.Contracts;

namespace Clickstream.Tests.Consumers;

/// <summary>A store that keeps what it was given: the one test double, for the in-memory harness.</summary>
internal sealed class RecordingClickEventStore : IClickEventStore
{
    private readonly ConcurrentQueue<IReadOnlyList<ClickEvent>> _batches = new();

    public IReadOnlyList<IReadOnlyList<ClickEvent>> Batches => _batches.ToArray();

    public int Count => _batches.Sum(b => b.Count);

    public Task<StoreOutcome> WriteAsync(IReadOnlyList<ClickEvent> events, CancellationToken cancellationToken)
    {
        _batches.Enqueue(events.ToArray());
        return Task.FromResult(new StoreOutcome(events.Count, 0, []));
    }
}
