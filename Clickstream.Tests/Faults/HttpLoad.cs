using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Clickstream.Tests.Support;

namespace Clickstream.Tests.Faults;

/// <summary>
/// A few HTTP clients posting click events to the API on loopback, one at a time each, as well-behaved clients do: a 503
/// is retried after its Retry-After with the same event (the same event_id, so the store keeps it once); no answer at
/// all is retried too. Bounded by a number of events and a duration; <see cref="StopAsync"/> ends it sooner.
/// </summary>
internal sealed class HttpLoad
{
    // How long one event may keep being refused before its client gives up on it: a failsafe, far above any outage here.
    private static readonly TimeSpan EventFailsafe = TimeSpan.FromSeconds(90);

    private readonly ConcurrentQueue<Guid> _acknowledged = new();
    private readonly ConcurrentQueue<TimeSpan?> _retryAfters = new();
    private readonly ConcurrentQueue<string> _unexpected = new();
    private readonly ConcurrentQueue<Guid> _abandoned = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Stopwatch _elapsed = Stopwatch.StartNew();
    private readonly int _maxEvents;
    private readonly TimeSpan _maxDuration;
    private readonly Task[] _clients;
    private int _next;

    private HttpLoad(Uri api, int clients, int maxEvents, TimeSpan maxDuration)
    {
        _maxEvents = maxEvents;
        _maxDuration = maxDuration;
        _clients = Enumerable.Range(0, clients).Select(_ => Task.Run(() => RunClientAsync(api))).ToArray();
    }

    /// <summary>Events answered 202 so far.</summary>
    public int Accepted => _acknowledged.Count;

    /// <summary>503 answers so far (each followed by a retry of the same event).</summary>
    public int Refused => _retryAfters.Count;

    /// <summary>The Retry-After of every 503, null where it had none.</summary>
    public IReadOnlyList<TimeSpan?> RetryAfters => _retryAfters.ToArray();

    public static HttpLoad Start(Uri api, int clients, int maxEvents, TimeSpan maxDuration) => new(api, clients, maxEvents, maxDuration);

    /// <summary>
    /// No new event is started; each client finishes the one it is on (retrying until it is accepted). Returns the ids of
    /// every event answered 202, after asserting that every event sent was accepted in the end and that the API never
    /// answered anything but 202 or 503.
    /// </summary>
    public async Task<IReadOnlyCollection<Guid>> StopAsync()
    {
        _stopping.Cancel();
        await Task.WhenAll(_clients).WaitAsync(EventFailsafe + TimeSpan.FromSeconds(30));
        Assert.True(_unexpected.IsEmpty, $"The API answered {_unexpected.Count} requests with neither 202 nor 503: {string.Join("; ", _unexpected.Take(5))}");
        Assert.True(_abandoned.IsEmpty, $"{_abandoned.Count} events were still refused after {EventFailsafe} of retries.");
        return _acknowledged.ToArray();
    }

    private async Task RunClientAsync(Uri api)
    {
        using var client = new HttpClient { BaseAddress = api, Timeout = TimeSpan.FromSeconds(30) };
        while (!_stopping.IsCancellationRequested && _elapsed.Elapsed < _maxDuration)
        {
            var index = Interlocked.Increment(ref _next) - 1;
            if (index >= _maxEvents)
            {
                return;
            }
            await PostUntilAcceptedAsync(client, ClickEvents.Create(index));
        }
    }

    private async Task PostUntilAcceptedAsync(HttpClient client, Contracts.ClickEvent e)
    {
        var given = Stopwatch.StartNew();
        while (given.Elapsed < EventFailsafe)
        {
            HttpResponseMessage response;
            try
            {
                response = await client.PostAsJsonAsync("/events", e);
            }
            catch (Exception failure) when (failure is HttpRequestException or TaskCanceledException)
            {
                // No answer: the event may or may not be on Kafka, so the client sends it again, as it would a 503.
                _unexpected.Enqueue($"no answer ({failure.GetType().Name}: {failure.Message})");
                await Task.Delay(TimeSpan.FromSeconds(1));
                continue;
            }
            using (response)
            {
                switch (response.StatusCode)
                {
                    case HttpStatusCode.Accepted:
                        _acknowledged.Enqueue(e.EventId);
                        return;
                    case HttpStatusCode.ServiceUnavailable:
                        var retryAfter = response.Headers.RetryAfter?.Delta;
                        _retryAfters.Enqueue(retryAfter);
                        // What the API asks of its clients: wait as long as it says, then send the same event again.
                        await Task.Delay(retryAfter ?? TimeSpan.FromSeconds(1));
                        break;
                    default:
                        _unexpected.Enqueue($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                        return;
                }
            }
        }
        _abandoned.Enqueue(e.EventId);
    }
}
