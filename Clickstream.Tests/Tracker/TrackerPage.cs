using System.Collections.Concurrent;
using System.Text.Json;
using Clickstream.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Clickstream.Tests.Tracker;

/// <summary>
/// A page of the test site open in the browser, and everything the tracker on it did as the browser saw it: each request
/// to <c>/events/batch</c> (by fetch or by beacon, with the event ids of its body), each answer (status, Retry-After,
/// when it ended), each request that failed, and the console's warnings.
/// </summary>
internal sealed class TrackerPage
{
    private readonly ConcurrentQueue<SentBatch> _sent = new();
    private readonly ConcurrentQueue<AnsweredBatch> _answered = new();
    private readonly ConcurrentQueue<string> _failed = new();
    private readonly ConcurrentQueue<string> _warnings = new();

    private TrackerPage(IPage page)
    {
        Page = page;
        page.Request += (_, request) =>
        {
            if (IsBatch(request))
            {
                _sent.Enqueue(new SentBatch(request.ResourceType, request.Url, request.Headers.GetValueOrDefault("content-type"),
                    request.Headers.GetValueOrDefault("x-api-key"), EventIds(request.PostData)));
            }
        };
        page.Response += (_, response) =>
        {
            if (IsBatch(response.Request))
            {
                _answered.Enqueue(new AnsweredBatch(response.Status, response.Headers.GetValueOrDefault("retry-after"), EventIds(response.Request.PostData)));
            }
        };
        page.RequestFailed += (_, request) =>
        {
            if (IsBatch(request))
            {
                _failed.Enqueue(request.Failure ?? "failed");
            }
        };
        page.Console += (_, message) =>
        {
            if (message.Type == "warning")
            {
                _warnings.Enqueue(message.Text);
            }
        };
    }

    public IPage Page { get; }

    /// <summary>Every POST to /events/batch, in the order the browser sent them.</summary>
    public IReadOnlyList<SentBatch> Sent => [.. _sent];

    /// <summary>Every answer the browser received to one of them.</summary>
    public IReadOnlyList<AnsweredBatch> Answered => [.. _answered];

    /// <summary>The failures (no answer the page could read: a network error, a refusal by CORS).</summary>
    public IReadOnlyList<string> Failed => [.. _failed];

    public IReadOnlyList<string> Warnings => [.. _warnings];

    /// <summary>
    /// What the tracker itself says it handed to <c>navigator.sendBeacon</c> (its <c>clickstream:request</c> events), the
    /// event ids of each beacon the browser took: Playwright does not report a beacon sent as the page goes.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<Guid>> Beaconed => [.. _beaconed];

    private readonly ConcurrentQueue<IReadOnlyList<Guid>> _beaconed = new();

    /// <summary>Opens <paramref name="address"/> in a new page of <paramref name="context"/>, coming from <paramref name="referrer"/> when given.</summary>
    public static async Task<TrackerPage> OpenAsync(IBrowserContext context, Uri address, string? referrer = null)
    {
        var page = new TrackerPage(await context.NewPageAsync());
        await page.Page.ExposeFunctionAsync("reportBeaconToTheTest", (string ids) =>
            page._beaconed.Enqueue(ids.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Guid.Parse).ToList()));
        await page.Page.AddInitScriptAsync("""
            // The page's own view of each fetch to /events/batch: when it was called, when its answer came (monotonic clock).
            window.batchFetchesSeenByTheTest = [];
            const fetchOfThePage = window.fetch;
            window.fetch = function (input, init) {
              if (!String(input).endsWith('/events/batch')) {
                return fetchOfThePage.apply(this, arguments);
              }
              const seen = { start: performance.now(), end: null, status: 0 };
              window.batchFetchesSeenByTheTest.push(seen);
              return fetchOfThePage.apply(this, arguments).then(
                (response) => { seen.end = performance.now(); seen.status = response.status; return response; },
                (error) => { seen.end = performance.now(); throw error; });
            };
            window.addEventListener('clickstream:request', (e) => {
              if (e.detail.transport === 'beacon' && e.detail.taken) {
                reportBeaconToTheTest(e.detail.events.map((event) => event.event_id).join(','));
              }
            });
            """);
        var response = await page.Page.GotoAsync(address.ToString(), new PageGotoOptions { Referer = referrer });
        Assert.Equal(200, response?.Status);
        return page;
    }

    /// <summary>Each fetch of the tracker as the page timed it: start and end in milliseconds of the page's monotonic clock, the status (0: no answer).</summary>
    public async Task<IReadOnlyList<(double Start, double? End, int Status)>> FetchTimesAsync() =>
        (await Page.EvaluateAsync<JsonElement>("() => window.batchFetchesSeenByTheTest")).EnumerateArray()
            .Select(f => (f.GetProperty("start").GetDouble(), f.GetProperty("end").ValueKind == JsonValueKind.Number ? f.GetProperty("end").GetDouble() : (double?)null,
                f.GetProperty("status").GetInt32()))
            .ToList();

    /// <summary>What the tracker still waits to see accepted (its <c>clickstream.pending()</c>).</summary>
    public async Task<IReadOnlyList<JsonElement>> PendingAsync() =>
        (await Page.EvaluateAsync<JsonElement>("() => clickstream.pending()")).EnumerateArray().ToList();

    /// <summary><c>clickstream.track(type, properties)</c>; returns the new event's id.</summary>
    public async Task<Guid> TrackAsync(string type, object? properties = null) =>
        Guid.Parse(await Page.EvaluateAsync<string>("([type, properties]) => clickstream.track(type, properties)", new[] { type, properties }));

    /// <summary>Waits until the tracker has nothing left to send: every event it made was accepted (202) or dropped (400).</summary>
    public Task WaitUntilNothingPendingAsync(string what) =>
        Eventually.HoldsAsync(async () => (await PendingAsync()).Count == 0, () => $"The tracker still had events pending: {what}.\n{Diagnostics()}");

    /// <summary>The ids of every event in any request the tracker sent, fetch or beacon.</summary>
    public IReadOnlySet<Guid> SentEventIds() => Sent.SelectMany(s => s.EventIds).ToHashSet();

    public string Diagnostics() =>
        $"Sent: {string.Join("; ", Sent.Select(s => $"{s.ResourceType} [{string.Join(",", s.EventIds)}]"))}\n"
        + $"Answered: {string.Join("; ", Answered.Select(a => $"{a.Status} retry-after={a.RetryAfter} [{string.Join(",", a.EventIds)}]"))}\n"
        + $"Beaconed: {string.Join("; ", Beaconed.Select(ids => $"[{string.Join(",", ids)}]"))}\n"
        + $"Failed: {string.Join("; ", Failed)}\nWarnings: {string.Join("; ", Warnings)}";

    private static bool IsBatch(IRequest request) =>
        request.Method == "POST" && new Uri(request.Url).AbsolutePath == "/events/batch";

    private static IReadOnlyList<Guid> EventIds(string? body) =>
        body is null ? [] : JsonDocument.Parse(body).RootElement.EnumerateArray().Select(e => e.GetProperty("event_id").GetGuid()).ToList();
}

/// <summary>A request to /events/batch as the browser sent it: <c>fetch</c> or <c>beacon</c>/<c>ping</c> as its resource type.</summary>
internal sealed record SentBatch(string ResourceType, string Url, string? ContentType, string? ApiKey, IReadOnlyList<Guid> EventIds);

/// <summary>The API's answer to one, as the browser received it.</summary>
internal sealed record AnsweredBatch(int Status, string? RetryAfter, IReadOnlyList<Guid> EventIds);
