using System.Collections.Concurrent;
using System.Diagnostics;
using Clickstream.Tests.Consumers;
using Clickstream.Tests.Support;

namespace Clickstream.Tests.Faults;

/// <summary>
/// A steady stream produced straight to raw_events (as another service would, no API in between): a round of events,
/// a pause, the next round. "Acknowledged" is what the broker acked. Bounded by a number of events and a duration;
/// <see cref="StopAsync"/> ends it sooner.
/// </summary>
internal sealed class DirectStream
{
    private readonly ConcurrentQueue<Guid> _acknowledged = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _producing;

    private DirectStream(string bootstrapServers, int round, TimeSpan pause, int maxEvents, TimeSpan maxDuration) =>
        _producing = Task.Run(() => ProduceAsync(bootstrapServers, round, pause, maxEvents, maxDuration));

    /// <summary>Events the broker acked so far.</summary>
    public int Acknowledged => _acknowledged.Count;

    public static DirectStream Start(string bootstrapServers, int round, TimeSpan pause, int maxEvents, TimeSpan maxDuration) =>
        new(bootstrapServers, round, pause, maxEvents, maxDuration);

    /// <summary>Ends the stream after the round in flight; returns the id of every event the broker acked.</summary>
    public async Task<IReadOnlyCollection<Guid>> StopAsync()
    {
        _stopping.Cancel();
        await _producing.WaitAsync(TimeSpan.FromMinutes(3));
        return _acknowledged.ToArray();
    }

    private async Task ProduceAsync(string bootstrapServers, int round, TimeSpan pause, int maxEvents, TimeSpan maxDuration)
    {
        using var producer = PipelineProbe.Producer(bootstrapServers);
        var elapsed = Stopwatch.StartNew();
        for (var next = 0; next < maxEvents && !_stopping.IsCancellationRequested && elapsed.Elapsed < maxDuration; next += round)
        {
            var events = Enumerable.Range(next, Math.Min(round, maxEvents - next)).Select(i => ClickEvents.Create(i)).ToList();
            foreach (var id in (await PipelineProbe.ProduceAsync(producer, events)).Keys)
            {
                _acknowledged.Enqueue(id);
            }
            // The stream's pace, so that it lasts through the faults (not a wait for anything).
            await Task.Delay(pause);
        }
    }
}
