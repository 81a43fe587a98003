using Clickstream.Contracts;
using Clickstream.Kafka.Embedded;
using Clickstream.Tests.Faults;
using Clickstream.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Clickstream.Tests.Tracker;

/// <summary>
/// <c>/tracker.js</c> in a real browser (Debian's Chromium through Playwright) on a shop's page of another origin
/// (127.0.0.2, a Kestrel app of the test), sending to the API as a child process on 127.0.0.1 with a real PostgreSQL
/// database: what the rows say, and what the browser sent and was answered.
/// </summary>
public sealed class TrackerBrowserTests(HeadlessChromium chromium) : IClassFixture<HeadlessChromium>
{
    private const string SearchReferrer = "https://search.example/results?q=shoes";
    private const string PublishableKey = "pk-tracker-browser-test-0001";

    [Fact]
    public async Task A_visit_with_a_click_a_navigation_and_a_close_is_stored_once_per_event_with_one_session_and_the_referrers_and_the_beacon_delivers_the_last_event()
    {
        await using var site = await TrackerTestSite.StartAsync("127.0.0.2");
        var database = await TestPostgres.CreateDatabaseAsync();
        await using var api = await StartStandaloneAsync(database, site.Origin);
        site.ServeTrackerOf(api.Address);
        var context = await chromium.Browser.NewContextAsync();

        // The pages' clock runs as usual until the test pauses it: then no timer of the tracker fires.
        await context.Clock.InstallAsync();
        var shop = await TrackerPage.OpenAsync(context, site.Address, SearchReferrer);
        await shop.WaitUntilNothingPendingAsync("the first page view");
        await shop.Page.ClickAsync("#add-label"); // inside the data-track element
        await shop.WaitUntilNothingPendingAsync("the click");
        await shop.Page.ClickAsync("#product");
        Assert.Equal(new Uri(site.Address, "/products/42").ToString(), shop.Page.Url);
        await shop.WaitUntilNothingPendingAsync("the navigation's page view");
        Assert.All(shop.Sent, s => Assert.Equal("fetch", s.ResourceType));

        // The last click: its one-second flush can never come, so only the beacon on close can deliver it.
        await PauseClockAsync(context, shop);
        var last = await shop.TrackAsync("checkout_click", new { step = 1 });
        await shop.Page.CloseAsync(new PageCloseOptions { RunBeforeUnload = true });

        await Eventually.HoldsAsync(() => shop.Beaconed.Any(ids => ids.Contains(last)), () => $"No beacon carried the last event.\n{shop.Diagnostics()}");
        Assert.DoesNotContain(shop.Sent, s => s.EventIds.Contains(last));
        var tracked = shop.SentEventIds().Append(last).ToHashSet();
        Assert.Equal(4, tracked.Count);
        await StoredRows.AssertEachStoredExactlyOnceAsync(database, [.. tracked], () => shop.Diagnostics() + "\n" + api.Tail);

        var rows = await TrackedRow.ReadAllAsync(database);
        Assert.Equal(["page_view", "add_to_cart", "page_view", "checkout_click"], rows.Select(r => r.EventType));
        Assert.Equal(["/", "/", "/products/42", "/products/42"], rows.Select(r => r.Page));
        Assert.Single(rows.Select(r => r.SessionId).Distinct());
        Assert.NotNull(rows[0].SessionId);
        // UUIDv7 (RFC 9562): version 7, variant 10, and the first 48 bits the event's Unix milliseconds, so ids sort by time.
        Assert.All(rows, r => Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", r.EventId.ToString()));
        Assert.Equal(rows.Select(r => r.EventId.ToString()).Order(StringComparer.Ordinal), rows.Select(r => r.EventId.ToString()));
        Assert.Single(rows.Select(r => r.UserId).Distinct());
        // The browser's User-Agent, stamped by the API on fetches and on the beacon alike.
        var userAgent = await OneUserAgentAsync(context);
        Assert.All(rows, r => Assert.Equal(userAgent, r.UserAgent));
        Assert.True(rows[0].UserId is > 0 and <= 9_007_199_254_740_991, $"user id {rows[0].UserId}");
        Assert.Equal([SearchReferrer, SearchReferrer, site.Address.ToString(), site.Address.ToString()], rows.Select(r => r.Referrer));
        Assert.Equal("""{"product": "42"}""", rows[1].Properties);
        Assert.Equal("""{"step": 1}""", rows[3].Properties);

        // The beacon's answer was never seen, so the event stayed queued: the next page of the site sends it again, and
        // the store keeps it once.
        await context.Clock.ResumeAsync();
        var next = await TrackerPage.OpenAsync(context, site.Address);
        await next.WaitUntilNothingPendingAsync("the events the closed page left");
        Assert.True(next.Sent.Any(s => s.ResourceType == "fetch" && s.EventIds.Contains(last)),
            $"{next.Diagnostics()}\n{await next.Page.EvaluateAsync<string>("() => JSON.stringify(localStorage)")}");
        var all = tracked.Concat(next.SentEventIds()).ToHashSet();
        Assert.Equal(5, all.Count);
        await StoredRows.AssertEachStoredExactlyOnceAsync(database, [.. all], () => next.Diagnostics() + "\n" + api.Tail);
        Assert.Single((await TrackedRow.ReadAllAsync(database)).Select(r => r.SessionId).Distinct());
        await context.DisposeAsync();
        await api.StopCleanlyAsync();
    }

    [Fact]
    public async Task A_page_of_an_origin_the_api_does_not_allow_is_refused_by_the_browser_its_beacon_by_the_api_and_the_tracker_keeps_its_events_queued()
    {
        await using var allowed = await TrackerTestSite.StartAsync("127.0.0.2");
        await using var other = await TrackerTestSite.StartAsync("127.0.0.3");
        var database = await TestPostgres.CreateDatabaseAsync();
        await using var api = await StartStandaloneAsync(database, allowed.Origin);
        other.ServeTrackerOf(api.Address);
        var context = await chromium.Browser.NewContextAsync();

        var page = await TrackerPage.OpenAsync(context, other.Address);
        await page.Page.ClickAsync("#add");
        // Sent, refused, backed off and sent again: the tracker cannot tell a refusal by CORS from a network failure.
        await Eventually.HoldsAsync(() => page.Failed.Count >= 2, () => $"The tracker did not try twice.\n{page.Diagnostics()}");

        Assert.Empty(page.Answered);
        var pending = await page.PendingAsync();
        Assert.Equal(["page_view", "add_to_cart"], pending.Select(e => e.GetProperty("event_type").GetString()));
        var stored = await page.Page.EvaluateAsync<string?>("() => Object.keys(localStorage).filter((k) => k.startsWith('clickstream:queue:')).map((k) => localStorage.getItem(k)).join()");
        Assert.All(pending, e => Assert.Contains(e.GetProperty("event_id").GetString()!, stored));
        Assert.Empty(await TrackedRow.ReadAllAsync(database));

        // Leaving, the page beacons its events: a no-cors request the browser sends whatever CORS says. The API refuses it.
        var forbiddenBefore = await RefusedAsync(api, "forbidden");
        await page.Page.CloseAsync(new PageCloseOptions { RunBeforeUnload = true });
        await Eventually.HoldsAsync(() => page.Beaconed.Count >= 1, () => $"No beacon from the other origin.\n{page.Diagnostics()}");
        await Eventually.HoldsAsync(async () => await RefusedAsync(api, "forbidden") > forbiddenBefore, () => "The other origin's beacon was not refused (403).");
        Assert.Empty(await TrackedRow.ReadAllAsync(database));
        await context.DisposeAsync();
        await api.StopCleanlyAsync();
    }

    [Fact]
    public async Task An_event_the_api_refuses_with_400_is_dropped_with_a_console_warning_and_never_sent_again_while_the_rest_of_its_batch_is()
    {
        await using var site = await TrackerTestSite.StartAsync("127.0.0.2");
        var database = await TestPostgres.CreateDatabaseAsync();
        await using var api = await StartStandaloneAsync(database, site.Origin);
        site.ServeTrackerOf(api.Address);
        var context = await chromium.Browser.NewContextAsync();
        var page = await TrackerPage.OpenAsync(context, site.Address);
        await page.WaitUntilNothingPendingAsync("the page view");

        // One batch: a valid event, and one whose properties hold a NUL, which PostgreSQL's jsonb cannot keep.
        var ids = await page.Page.EvaluateAsync<string[]>("() => [clickstream.track('newsletter_subscribe', { plan: 'weekly' }), clickstream.track('form_error', { note: 'a\\u0000b' })]");
        var (good, bad) = (Guid.Parse(ids[0]), Guid.Parse(ids[1]));
        await page.WaitUntilNothingPendingAsync("the refused batch");

        var refused = Assert.Single(page.Answered, a => a.Status == 400);
        Assert.Equal([good, bad], refused.EventIds);
        Assert.Contains(page.Warnings, w => w.Contains("(400)", StringComparison.Ordinal) && w.Contains("dropped", StringComparison.Ordinal));
        var after = page.Sent.SkipWhile(s => !s.EventIds.Contains(bad)).Skip(1).ToList();
        Assert.DoesNotContain(after, s => s.EventIds.Contains(bad));
        Assert.Contains(after, s => s.EventIds.SequenceEqual([good]));
        await StoredRows.AssertEachStoredExactlyOnceAsync(database, [.. page.SentEventIds().Except([bad])], () => page.Diagnostics() + "\n" + api.Tail);
        var rows = await TrackedRow.ReadAllAsync(database);
        Assert.Equal(["page_view", "newsletter_subscribe"], rows.Select(r => r.EventType));
        Assert.Equal(good, rows[1].EventId);
        await context.DisposeAsync();
        await api.StopCleanlyAsync();
    }

    [Fact]
    public async Task While_the_broker_is_down_the_tracker_waits_the_503s_Retry_After_and_sends_the_same_events_again_until_each_is_stored_once()
    {
        await using var site = await TrackerTestSite.StartAsync("127.0.0.2");
        await using var broker = EmbeddedKafkaBroker.Start(new() { Topics = { [Topics.RawEvents] = FaultedPipeline.Partitions, [Topics.RawEventsDeadLetter] = 1 } });
        var database = await TestPostgres.CreateDatabaseAsync();
        var pipeline = new Dictionary<string, string> { ["Kafka__BootstrapServers"] = broker.BootstrapServers, ["ConnectionStrings__Events"] = database };
        await using var worker = ServiceProcess.Start("Clickstream.Consumers", "worker", new Dictionary<string, string>(FaultedPipeline.WorkerSettings.Concat(pipeline)));
        await using var api = ServiceProcess.Start("Clickstream.Api", "api", new Dictionary<string, string>(FaultedPipeline.ApiSettings.Concat(pipeline))
        {
            ["Api__Cors__AllowedOrigins__0"] = site.Origin,
        });
        await Task.WhenAll(worker.WaitUntilReadyAsync(), api.WaitUntilReadyAsync());
        site.ServeTrackerOf(api.Address);
        var context = await chromium.Browser.NewContextAsync();
        var page = await TrackerPage.OpenAsync(context, site.Address);
        await page.WaitUntilNothingPendingAsync("the page view, before the outage");

        broker.SetBrokerDown(1);
        Guid clicked;
        try
        {
            await page.Page.ClickAsync("#add");
            clicked = Guid.Parse((await page.PendingAsync()).Single().GetProperty("event_id").GetString()!);
            await Eventually.HoldsAsync(() => page.Answered.Count(a => a.Status == 503) >= 2, () => $"No second 503.\n{page.Diagnostics()}\n{api.Tail}");
        }
        finally
        {
            broker.SetBrokerUp(1);
        }
        await page.WaitUntilNothingPendingAsync("the click, after the outage");

        var sent = page.Sent;
        var unavailable = page.Answered.Where(a => a.Status == 503).ToList();
        Assert.All(unavailable, a => Assert.Equal("1", a.RetryAfter));
        Assert.All(unavailable, a => Assert.Equal([clicked], a.EventIds));
        // After each 503 the next request came no sooner than Retry-After, on the page's own clock (less a millisecond
        // for its rounding).
        var fetches = await page.FetchTimesAsync();
        Assert.Equal(sent.Count, fetches.Count);
        for (var i = 0; i < fetches.Count - 1; i++)
        {
            if (fetches[i].Status == 503)
            {
                var waited = TimeSpan.FromMilliseconds(fetches[i + 1].Start - fetches[i].End!.Value);
                Assert.True(waited >= TimeSpan.FromSeconds(1) - TimeSpan.FromMilliseconds(1), $"Sent again {waited.TotalMilliseconds} ms after a 503 with Retry-After: 1.");
            }
        }
        Assert.True(fetches.Count(f => f.Status == 503) >= 2, page.Diagnostics());
        Assert.Equal(202, fetches[^1].Status);
        Assert.True(sent.Count(s => s.EventIds.Contains(clicked)) >= 3, page.Diagnostics());
        await StoredRows.AssertEachStoredExactlyOnceAsync(database, [.. page.SentEventIds()], () => page.Diagnostics() + "\n" + api.Tail + "\n" + worker.Tail);
        Assert.Equal(["page_view", "add_to_cart"], (await TrackedRow.ReadAllAsync(database)).Select(r => r.EventType));
        await context.DisposeAsync();
        await api.StopCleanlyAsync();
        await worker.StopCleanlyAsync();
    }

    [Fact]
    public async Task With_a_publishable_key_bound_to_the_page_s_origin_fetches_carry_it_in_X_Api_Key_the_beacon_as_the_key_parameter_and_another_origin_s_beacon_is_refused()
    {
        await using var site = await TrackerTestSite.StartAsync("127.0.0.2");
        await using var other = await TrackerTestSite.StartAsync("127.0.0.3");
        var database = await TestPostgres.CreateDatabaseAsync();
        await using var api = await StartStandaloneAsync(database, new Dictionary<string, string>
        {
            ["Api__PublishableKeys__0__Key"] = PublishableKey,
            ["Api__PublishableKeys__0__Origins__0"] = site.Origin,
        });
        site.ServeTrackerOf(api.Address, PublishableKey);
        other.ServeTrackerOf(api.Address, PublishableKey);

        var context = await chromium.Browser.NewContextAsync();
        await context.Clock.InstallAsync();
        var shop = await TrackerPage.OpenAsync(context, site.Address);
        await shop.WaitUntilNothingPendingAsync("the page view");
        Assert.Equal(PublishableKey, Assert.Single(shop.Sent).ApiKey);
        Assert.DoesNotContain("key=", Assert.Single(shop.Sent).Url, StringComparison.Ordinal);
        await PauseClockAsync(context, shop);
        var last = await shop.TrackAsync("checkout_click");
        await shop.Page.CloseAsync(new PageCloseOptions { RunBeforeUnload = true });
        await Eventually.HoldsAsync(() => shop.Beaconed.Any(ids => ids.Contains(last)), () => $"No beacon carried the last event.\n{shop.Diagnostics()}");
        // A beacon carries no header: stored while keys are required, it came with ?key=.
        var tracked = shop.SentEventIds().Append(last).ToHashSet();
        await StoredRows.AssertEachStoredExactlyOnceAsync(database, [.. tracked], () => shop.Diagnostics() + "\n" + api.Tail);

        // Another origin with the same key: its fetches fail CORS, and its beacon, which needs no CORS, gets 403.
        var elsewhere = await chromium.Browser.NewContextAsync();
        var page = await TrackerPage.OpenAsync(elsewhere, other.Address);
        await page.Page.ClickAsync("#add");
        await Eventually.HoldsAsync(() => page.Failed.Count >= 1, () => $"The other origin's fetch was not refused.\n{page.Diagnostics()}");
        var forbiddenBefore = await RefusedAsync(api, "forbidden");
        await page.Page.CloseAsync(new PageCloseOptions { RunBeforeUnload = true });
        await Eventually.HoldsAsync(() => page.Beaconed.Count >= 1, () => $"No beacon from the other origin.\n{page.Diagnostics()}");
        await Eventually.HoldsAsync(async () => await RefusedAsync(api, "forbidden") > forbiddenBefore, () => "The other origin's beacon was not refused (403).");
        await StoredRows.AssertEachStoredExactlyOnceAsync(database, [.. tracked], () => page.Diagnostics() + "\n" + api.Tail);
        await context.DisposeAsync();
        await elsewhere.DisposeAsync();
        await api.StopCleanlyAsync();
    }

    [Fact]
    public async Task A_user_id_from_init_or_identify_replaces_the_anonymous_one_and_one_that_is_not_a_safe_positive_integer_is_refused_with_a_warning()
    {
        await using var site = await TrackerTestSite.StartAsync("127.0.0.2");
        var database = await TestPostgres.CreateDatabaseAsync();
        await using var api = await StartStandaloneAsync(database, site.Origin);
        site.ServeTrackerOf(api.Address, userId: 42);
        var context = await chromium.Browser.NewContextAsync();
        var page = await TrackerPage.OpenAsync(context, site.Address);

        await page.Page.EvaluateAsync("() => clickstream.identify(Number.MAX_SAFE_INTEGER)");
        await page.TrackAsync("login");
        await page.Page.EvaluateAsync("() => clickstream.identify(2 ** 53)");
        await page.TrackAsync("profile_view");
        await page.Page.EvaluateAsync("() => clickstream.identify(null)");
        await page.TrackAsync("logout");
        await page.WaitUntilNothingPendingAsync("the four events");

        Assert.Contains(page.Warnings, w => w.Contains("a user id must be a positive integer", StringComparison.Ordinal));
        await StoredRows.AssertEachStoredExactlyOnceAsync(database, [.. page.SentEventIds()], () => page.Diagnostics() + "\n" + api.Tail);
        var users = (await TrackedRow.ReadAllAsync(database)).ToDictionary(r => r.EventType, r => r.UserId);
        var anonymousId = long.Parse(await page.Page.EvaluateAsync<string>("() => localStorage.getItem('clickstream:anonymous_user_id')"),
            System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(42, users["page_view"]);
        Assert.Equal(9_007_199_254_740_991, users["login"]);
        Assert.Equal(anonymousId, users["profile_view"]);
        Assert.Equal(anonymousId, users["logout"]);
        await context.DisposeAsync();
        await api.StopCleanlyAsync();
    }

    private static async Task<string> OneUserAgentAsync(IBrowserContext context)
    {
        var page = await context.NewPageAsync();
        var userAgent = await page.EvaluateAsync<string>("() => navigator.userAgent");
        await page.CloseAsync();
        Assert.Contains("Chrome/", userAgent, StringComparison.Ordinal);
        return userAgent;
    }

    // Jumps the pages' clock a minute ahead (well past wherever it got to meanwhile, and within the API's 5 minutes of
    // allowed skew) and stops it there: no timer fires any more. Nothing is pending, so the jump fires none either.
    private static async Task PauseClockAsync(IBrowserContext context, TrackerPage page)
    {
        Assert.Empty(await page.PendingAsync());
        var now = DateTimeOffset.FromUnixTimeMilliseconds(await page.Page.EvaluateAsync<long>("() => Date.now()"));
        await context.Clock.PauseAtAsync((now + TimeSpan.FromMinutes(1)).UtcDateTime);
    }

    // clickstream_api_events_refused_total{reason=...} on the API's /metrics.
    private static async Task<double> RefusedAsync(ServiceProcess api, string reason)
    {
        using var client = new HttpClient { BaseAddress = api.Address };
        var text = await client.GetStringAsync("/metrics");
        return text.Split('\n')
            .Where(line => line.StartsWith("clickstream_api_events_refused_total{", StringComparison.Ordinal) && line.Contains($"reason=\"{reason}\"", StringComparison.Ordinal))
            .Sum(line => double.Parse(line[(line.IndexOf("} ", StringComparison.Ordinal) + 2)..].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture));
    }

    // The standalone run (its embedded broker and consumers) on the test run's PostgreSQL, a database of its own.
    private static Task<ServiceProcess> StartStandaloneAsync(string database, string allowedOrigin) =>
        StartStandaloneAsync(database, new Dictionary<string, string> { ["Api__Cors__AllowedOrigins__0"] = allowedOrigin });

    private static Task<ServiceProcess> StartStandaloneAsync(string database, Dictionary<string, string> settings)
    {
        settings["ConnectionStrings__Events"] = database;
        return ServiceProcess.StartReadyAsync("Clickstream.Api", "standalone api", settings);
    }
}
