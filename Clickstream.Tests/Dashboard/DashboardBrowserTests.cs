using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Clickstream.Contracts;
using Clickstream.Kafka.Embedded;
using Clickstream.Tests.Api;
using Clickstream.Tests.Infrastructure;
using Confluent.Kafka;

namespace Clickstream.Tests.Dashboard;

/// <summary>
/// <c>/dashboard</c> in a real browser (Debian's Chromium through Playwright) against the API as a child process on
/// 127.0.0.1: the standalone run (consumers, embedded broker, a real PostgreSQL database), the same with API keys, and
/// an API whose consumers run elsewhere. Every assertion is on what the page shows.
/// </summary>
public sealed partial class DashboardBrowserTests(HeadlessChromium chromium) : IClassFixture<HeadlessChromium>
{
    /// <summary>Set to a path (relative to the repository root) to save the standalone dashboard's screenshot there too, e.g. docs/dashboard.png.</summary>
    public const string ScreenshotVariable = "CLICKSTREAM_SCREENSHOT";

    private const string Key = "dashboard-browser-key-0001";

    [Fact]
    public async Task In_the_standalone_run_the_page_shows_rates_rising_from_zero_totals_refusals_dead_letters_lag_latency_and_the_posted_events()
    {
        await using var api = await StartStandaloneAsync(new Dictionary<string, string>());
        using var client = new HttpClient { BaseAddress = api.Address };
        var dashboard = await DashboardPage.OpenAsync(chromium, api.Address);

        // Before any traffic: figures, and they are zeros.
        await dashboard.WaitUntilAsync(async () => (await dashboard.TextAsync("#status")).StartsWith("Live", StringComparison.Ordinal)
            && await dashboard.NumberAsync("#ingest-total") == 0, "the live figures before any traffic");
        Assert.Equal(0, await dashboard.NumberAsync("#ingest-rate"));
        Assert.Equal(0, await dashboard.NumberAsync("#stored-rate"));
        Assert.Equal(0, await dashboard.NumberAsync("#stored-total"));

        // Events flow until the page shows both rates above zero: the rates average 10 s, so keeping traffic up makes this
        // independent of how fast the machine is.
        var posted = new List<ClickEvent>();
        await dashboard.WaitUntilAsync(async () =>
        {
            var e = ApiRequests.Event(posted.Count);
            Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync("/events", e)).StatusCode);
            posted.Add(e);
            return await dashboard.NumberAsync("#ingest-rate") > 0 && await dashboard.NumberAsync("#stored-rate") > 0;
        }, "ingest and stored rates above 0");
        await WaitForTotalsAsync(dashboard, posted.Count);

        // The newest: a batch, one invalid event (refused), and one message that is not JSON (dead-lettered).
        var batch = Enumerable.Range(posted.Count, 10).Select(i => ApiRequests.Event(i)).ToList();
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync("/events/batch", batch)).StatusCode);
        posted.AddRange(batch);
        var invalid = await client.PostAsync("/events", ApiRequests.Json(ApiRequests.EventWith(e => e["event_type"] = "")));
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        await ProduceNotJsonAsync(EmbeddedBroker().Match(api.Output).Groups[1].Value);

        await WaitForTotalsAsync(dashboard, posted.Count);
        var batchIds = batch.Select(e => e.EventId.ToString()).ToHashSet();
        await dashboard.WaitUntilAsync(async () => batchIds.IsSubsetOf(await dashboard.RecentEventIdsAsync()), "the batch's event ids among the last events stored");
        await dashboard.WaitUntilAsync(async () => await dashboard.TextAsync("#refused-reasons li[data-reason='invalid']") != string.Empty,
            "the invalid event among the refusals");
        await dashboard.WaitUntilAsync(async () => await dashboard.TextAsync("#dead-letter-reasons li[data-reason='not_json']") == "not_json1",
            "one dead letter, not_json");
        await dashboard.WaitUntilAsync(async () => await dashboard.Page.Locator("#lag-chart g[data-partition]").CountAsync() == 3,
            "the lag of the three partitions");

        Assert.Equal(20, (await dashboard.RecentEventIdsAsync()).Count);
        Assert.Contains("ms", await dashboard.TextAsync("#latency-p50"));
        Assert.Contains("ms", await dashboard.TextAsync("#latency-p99"));
        Assert.True(await dashboard.NumberAsync("#latency-batches") > 0);
        Assert.Equal("0", await dashboard.TextAsync("#stalled-batches"));
        Assert.Equal(["raw_events [0]", "raw_events [1]", "raw_events [2]"],
            await dashboard.Page.Locator("#lag-chart g[data-partition] text:first-child").AllTextContentsAsync());
        Assert.All(dashboard.Requested, url => Assert.StartsWith(api.Address.ToString(), url));

        // The partitions the worker made at its start: from today (or before) to a day ahead, the rows outside them counted.
        var today = DateTime.UtcNow.Date;
        await dashboard.WaitUntilAsync(async () => await dashboard.NumberAsync("#partitions-count") >= 2, "the partitions the worker made");
        var range = Regex.Match(await dashboard.TextAsync("#partitions-range"), @"^(\d{4}-\d{2}-\d{2}) to (\d{4}-\d{2}-\d{2})$");
        Assert.True(range.Success, await dashboard.TextAsync("#partitions-range"));
        Assert.True(DateTime.Parse(range.Groups[1].Value, CultureInfo.InvariantCulture) <= today);
        Assert.True(DateTime.Parse(range.Groups[2].Value, CultureInfo.InvariantCulture) > today);
        Assert.Matches(@"^\d[\d,]*$", await dashboard.TextAsync("#partitions-waiting"));

        await HeadlessChromium.SaveScreenshotAsync(dashboard.Page, "dashboard.png", Environment.GetEnvironmentVariable(ScreenshotVariable));
        await api.StopCleanlyAsync();
    }

    [Fact]
    public async Task With_api_keys_configured_the_page_shows_the_refusal_until_it_is_given_a_valid_key_and_then_the_figures()
    {
        await using var api = await StartStandaloneAsync(new Dictionary<string, string> { ["Api__Keys__0"] = Key });
        var dashboard = await DashboardPage.OpenAsync(chromium, api.Address);

        await dashboard.WaitUntilAsync(async () => await dashboard.IsVisibleAsync("#key-form")
            && (await dashboard.TextAsync("#key-message")).Contains("401", StringComparison.Ordinal), "the refusal without a key");
        Assert.False(await dashboard.IsVisibleAsync("#panels"));

        await dashboard.Page.FillAsync("#api-key", "not-the-dashboard-key-at-all");
        await dashboard.Page.ClickAsync("#key-form button[type=submit]");
        await dashboard.WaitUntilAsync(async () => (await dashboard.TextAsync("#key-message")).Contains("refused this key", StringComparison.Ordinal),
            "the refusal of a wrong key");

        await dashboard.Page.FillAsync("#api-key", Key);
        await dashboard.Page.ClickAsync("#key-form button[type=submit]");
        await dashboard.WaitUntilAsync(async () => await dashboard.IsVisibleAsync("#panels") && await dashboard.NumberAsync("#ingest-total") == 0,
            "the figures once given the key");
        Assert.False(await dashboard.IsVisibleAsync("#key-form"));

        using var client = new HttpClient { BaseAddress = api.Address };
        client.DefaultRequestHeaders.Add("X-Api-Key", Key);
        var posted = ApiRequests.Event();
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync("/events", posted)).StatusCode);
        await dashboard.WaitUntilAsync(async () => (await dashboard.RecentEventIdsAsync()).Contains(posted.EventId.ToString())
            && await dashboard.NumberAsync("#ingest-total") == 1, "the posted event");
        Assert.DoesNotContain(dashboard.Requested, url => url.Contains(Key, StringComparison.Ordinal));
        await api.StopCleanlyAsync();
    }

    [Fact]
    public async Task With_the_consumers_in_another_process_and_no_database_the_worker_panels_and_the_last_events_say_so()
    {
        await using var broker = EmbeddedKafkaBroker.Start(new() { Topics = { [Topics.RawEvents] = 3, [Topics.RawEventsDeadLetter] = 1 } });
        await using var api = ServiceProcess.Start("Clickstream.Api", "api", new Dictionary<string, string>
        {
            ["Kafka__BootstrapServers"] = broker.BootstrapServers,
            ["Standalone__Enabled"] = "false",
        });
        await api.WaitUntilReadyAsync();
        var dashboard = await DashboardPage.OpenAsync(chromium, api.Address);

        await dashboard.WaitUntilAsync(async () => await dashboard.IsVisibleAsync("#stored .elsewhere"), "the consumers elsewhere");
        Assert.Contains("another process", await dashboard.TextAsync("#stored .elsewhere"));
        Assert.Contains("another process", await dashboard.TextAsync("#lag .elsewhere"));
        Assert.False(await dashboard.IsVisibleAsync("#stored-rate"));
        Assert.False(await dashboard.IsVisibleAsync("#stalled-batches"));
        Assert.True(await dashboard.IsVisibleAsync("#recent-unavailable"));
        Assert.Contains("no events database configured", await dashboard.TextAsync("#recent-unavailable"));
        Assert.True(await dashboard.IsVisibleAsync("#partitions-unavailable"));
        Assert.Contains("no events database configured", await dashboard.TextAsync("#partitions-unavailable"));
        Assert.False(await dashboard.IsVisibleAsync("#partitions-count"));

        using var client = new HttpClient { BaseAddress = api.Address };
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync("/events", ApiRequests.Event())).StatusCode);
        await dashboard.WaitUntilAsync(async () => await dashboard.NumberAsync("#ingest-total") == 1, "the accepted event");
        await api.StopCleanlyAsync();
    }

    // The standalone run as a user starts it, except for the database: the test run's PostgreSQL, a database of its own.
    private static async Task<ServiceProcess> StartStandaloneAsync(Dictionary<string, string> settings)
    {
        settings["ConnectionStrings__Events"] = await TestPostgres.CreateDatabaseAsync();
        return await ServiceProcess.StartReadyAsync("Clickstream.Api", "standalone api", settings);
    }

    private static Task WaitForTotalsAsync(DashboardPage dashboard, int posted) =>
        dashboard.WaitUntilAsync(async () => await dashboard.NumberAsync("#ingest-total") == posted && await dashboard.NumberAsync("#stored-total") == posted,
            $"{posted} events accepted and stored");

    private static async Task ProduceNotJsonAsync(string bootstrapServers)
    {
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = bootstrapServers }).Build();
        await producer.ProduceAsync(Topics.RawEvents, new Message<string, string> { Key = "1", Value = "this is not JSON" });
    }

    [GeneratedRegex(@"Embedded Kafka broker started: bootstrap\.servers=(\S+)")]
    private static partial Regex EmbeddedBroker();
}
