using System.Net;
using Clickstream.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Clickstream.Tests.Tracker;

/// <summary>
/// <c>/demo</c> and <c>/tracker.js</c> as someone trying the standalone run finds them: the API as a child process with a
/// real PostgreSQL database and a publishable key configured, the demo page in a real browser.
/// </summary>
public sealed class DemoBrowserTests(HeadlessChromium chromium) : IClassFixture<HeadlessChromium>
{
    private const string PublishableKey = "pk-demo-browser-test-0001";

    [Fact]
    public async Task The_demo_shows_the_refusal_without_a_key_then_with_the_key_given_in_its_form_what_the_tracker_sent_and_the_202s_and_the_rows_are_stored()
    {
        var database = await TestPostgres.CreateDatabaseAsync();
        await using var api = await ServiceProcess.StartReadyAsync("Clickstream.Api", "standalone api", new Dictionary<string, string>
        {
            ["ConnectionStrings__Events"] = database,
            ["Api__PublishableKeys__0__Key"] = PublishableKey,
        });
        Assert.Contains($"tracker demo at {api.Address.ToString().TrimEnd('/')}/demo/", api.Output, StringComparison.Ordinal);

        var context = await chromium.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var opened = await page.GotoAsync(new Uri(api.Address, "/demo").ToString());
        Assert.Equal(200, opened?.Status);
        Assert.Equal(new Uri(api.Address, "/demo/").ToString(), page.Url);
        await WaitForLogAsync(page, "← 401", "the refusal without a key");

        await page.FillAsync("#key", PublishableKey);
        await page.ClickAsync("#key-form button[type=submit]");
        // The reloaded page sends the page view the first one could not, and its own.
        await WaitForLogAsync(page, "← 202 accepted (2 events)", "the two page views accepted");
        await page.ClickAsync("text=Add to cart");
        await WaitForLogAsync(page, "→ fetch 1 event: add_to_cart", "the click sent");
        await page.ClickAsync("#spa-checkout");
        Assert.Equal(new Uri(api.Address, "/demo/checkout").ToString(), page.Url);
        Assert.Equal("/demo/checkout", (await page.TextContentAsync("#view"))?.Trim());
        await Eventually.HoldsAsync(async () => (await page.TextContentAsync("#pending"))?.Trim() == "0"
            && (await page.Locator("#log li.accepted").CountAsync()) == 3, () => "The demo did not show three 202s and nothing pending.");

        IReadOnlyList<TrackedRow> rows = [];
        await Eventually.HoldsAsync(async () => (rows = await TrackedRow.ReadAllAsync(database)).Count == 4,
            () => $"Stored: {string.Join(", ", rows.Select(r => $"{r.EventType} {r.Page}"))}");
        Assert.Equal(["page_view /demo/", "page_view /demo/", "add_to_cart /demo/", "page_view /demo/checkout"], rows.Select(r => $"{r.EventType} {r.Page}"));
        Assert.Single(rows.Select(r => r.SessionId).Distinct());
        await context.DisposeAsync();
        await api.StopCleanlyAsync();
    }

    [Fact]
    public async Task The_tracker_script_is_javascript_cached_an_hour_revalidated_by_its_entity_tag_and_loadable_from_any_origin()
    {
        await using var api = ServiceProcess.Start("Clickstream.Api", "api", new Dictionary<string, string>
        {
            ["Standalone__Enabled"] = "false",
            ["Kafka__BootstrapServers"] = "127.0.0.1:9",
        });
        await api.WaitUntilLiveAsync();
        using var client = new HttpClient { BaseAddress = api.Address };

        using var script = await client.GetAsync("/tracker.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        Assert.Equal("public, max-age=3600", script.Headers.CacheControl?.ToString());
        Assert.Equal("*", script.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("cross-origin", script.Headers.GetValues("Cross-Origin-Resource-Policy").Single());
        Assert.Contains("window.clickstream = Object.freeze(", await script.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var tag = script.Headers.ETag;
        Assert.NotNull(tag);

        using var revalidation = new HttpRequestMessage(HttpMethod.Get, "/tracker.js");
        revalidation.Headers.IfNoneMatch.Add(tag);
        using var unchanged = await client.SendAsync(revalidation);
        Assert.Equal(HttpStatusCode.NotModified, unchanged.StatusCode);
        await api.StopCleanlyAsync();
    }

    private static Task WaitForLogAsync(IPage page, string text, string what)
    {
        var shown = string.Empty;
        return Eventually.HoldsAsync(async () => (shown = await page.Locator("#log").InnerTextAsync()).Contains(text, StringComparison.Ordinal),
            () => $"The demo never showed {what} (\"{text}\"). Its log:\n{shown}");
    }
}
