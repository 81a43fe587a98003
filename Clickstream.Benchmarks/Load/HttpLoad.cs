using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using Clickstream.Benchmarks.Infrastructure;

namespace Clickstream.Benchmarks.Load;

/// <summary>
/// A closed-loop load generator (wrk's model): each of N clients keeps one HTTP/1.1 keep-alive request in flight,
/// sending the next as soon as the previous answered. Throughput is then connections ÷ latency, which is what a
/// service answering after a Kafka ack is judged by. Only requests that start and end inside the measured window count.
/// A client answered 503 with <c>Retry-After</c> waits that long before its next request, as a well-behaved client does.
/// </summary>
public static class HttpLoad
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    /// <summary>POSTs of <paramref name="payloads"/>, freshly rendered for each request.</summary>
    public static Task<HttpLoadResult> RunAsync(
        Uri endpoint, ClickEventPayloads payloads, int connections, TimeSpan warmup, TimeSpan duration,
        Progress progress, CancellationToken cancellationToken, Action<long>? onAcceptedEvents = null) =>
        RunAsync(() => new HttpRequestMessage(HttpMethod.Post, endpoint)
        {
            Content = new ByteArrayContent(payloads.Render()) { Headers = { ContentType = Json } },
        }, payloads.EventsPerBody, connections, warmup, duration, progress, cancellationToken, onAcceptedEvents);

    /// <summary>The requests <paramref name="request"/> makes, each counted as <paramref name="eventsPerRequest"/> events when answered 2xx.</summary>
    public static async Task<HttpLoadResult> RunAsync(
        Func<HttpRequestMessage> request, int eventsPerRequest, int connections, TimeSpan warmup, TimeSpan duration,
        Progress progress, CancellationToken cancellationToken, Action<long>? onAcceptedEvents = null)
    {
        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            UseProxy = false,
            UseCookies = false,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };

        var histogram = new LatencyHistogram();
        var outcomes = new ConcurrentDictionary<string, long>();
        long requests = 0, succeeded = 0, liveRequests = 0;
        var clock = Stopwatch.StartNew();
        var measureFrom = warmup;
        var stopAt = warmup + duration;

        progress.Report(() =>
        {
            var phase = clock.Elapsed < measureFrom ? "warm-up" : "measured";
            var seconds = Math.Max(clock.Elapsed.TotalSeconds, 0.001);
            var live = Interlocked.Read(ref liveRequests);
            return string.Create(CultureInfo.InvariantCulture,
                $"{phase} {clock.Elapsed.TotalSeconds,5:F1}s  requests {live,10:N0}  {live / seconds,9:N0} req/s  non-2xx {outcomes.Where(o => !o.Key.StartsWith('2')).Sum(o => o.Value):N0}");
        });

        async Task ClientLoopAsync()
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var started = clock.Elapsed;
                if (started >= stopAt)
                {
                    return;
                }

                string outcome;
                TimeSpan? retryAfter = null;
                using var message = request();
                try
                {
                    using var response = await client.SendAsync(message, cancellationToken);
                    outcome = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
                    if (response.IsSuccessStatusCode)
                    {
                        onAcceptedEvents?.Invoke(eventsPerRequest);
                    }
                    else if (response.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable)
                    {
                        retryAfter = response.Headers.RetryAfter?.Delta;
                    }
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    outcome = "exception:" + e.GetType().Name;
                }

                Interlocked.Increment(ref liveRequests);
                var ended = clock.Elapsed;
                if (started >= measureFrom && ended <= stopAt)
                {
                    histogram.Record(ended - started);
                    Interlocked.Increment(ref requests);
                    if (outcome[0] == '2')
                    {
                        Interlocked.Increment(ref succeeded);
                    }
                    outcomes.AddOrUpdate(outcome, 1, (_, n) => n + 1);
                }
                if (retryAfter is { } wait && stopAt - clock.Elapsed is { Ticks: > 0 } left)
                {
                    await Task.Delay(wait < left ? wait : left, CancellationToken.None);
                }
            }
        }

        // The CPU of the measured window: this process (the load and the host under test share it) and the broker.
        var cpu = Task.Run(async () =>
        {
            await Task.Delay(warmup, cancellationToken);
            var meter = CpuMeter.Start(postgresDataDirectory: null);
            var measuring = Stopwatch.StartNew();
            while (duration - measuring.Elapsed is { Ticks: > 0 } left)
            {
                await Task.Delay(left < TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1), cancellationToken);
                meter.Sample();
            }
            return meter.Elapsed();
        }, CancellationToken.None);
        await Task.WhenAll(Enumerable.Range(0, connections).Select(_ => Task.Run(ClientLoopAsync, CancellationToken.None)));
        progress.Clear();
        return new HttpLoadResult
        {
            Measured = duration,
            Cpu = await cpu,
            Requests = requests,
            Succeeded = succeeded,
            EventsPerRequest = eventsPerRequest,
            Latency = histogram,
            Outcomes = new SortedDictionary<string, long>(outcomes, StringComparer.Ordinal),
        };
    }
}
