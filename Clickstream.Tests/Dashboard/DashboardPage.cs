using System.Collections.Concurrent;
using System.Globalization;
using Clickstream.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Clickstream.Tests.Dashboard;

/// <summary>
/// <c>/dashboard</c> open in the browser: what a person reads on it (figures as shown, as text), and every address the
/// page asked for. Waits poll what the page shows, through <see cref="Eventually"/>.
/// </summary>
internal sealed class DashboardPage
{
    private readonly ConcurrentQueue<string> _requested = new();

    private DashboardPage(IPage page, Uri api)
    {
        Page = page;
        Api = api;
        page.Request += (_, request) => _requested.Enqueue(request.Url);
    }

    public IPage Page { get; }

    public Uri Api { get; }

    /// <summary>Every address the page requested so far: the page, its assets, each poll.</summary>
    public IReadOnlyCollection<string> Requested => _requested;

    public static async Task<DashboardPage> OpenAsync(HeadlessChromium chromium, Uri api)
    {
        var dashboard = new DashboardPage(await chromium.NewPageAsync(), api);
        var response = await dashboard.Page.GotoAsync(new Uri(api, "/dashboard").ToString());
        Assert.Equal(200, response?.Status);
        return dashboard;
    }

    public async Task<string> TextAsync(string selector) => (await Page.Locator(selector).TextContentAsync())?.Trim() ?? string.Empty;

    public Task<bool> IsVisibleAsync(string selector) => Page.Locator(selector).IsVisibleAsync();

    /// <summary>A figure as the page shows it ("1,234", "2.5"); null while it shows none ("–").</summary>
    public async Task<double?> NumberAsync(string selector) =>
        double.TryParse((await TextAsync(selector)).Replace(",", "", StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : null;

    /// <summary>The event ids in the table of the last events stored, top (newest) first.</summary>
    public async Task<IReadOnlyList<string>> RecentEventIdsAsync() =>
        (await Page.Locator("#recent-events tbody td.event-id").AllTextContentsAsync()).Select(t => t.Trim()).ToList();

    /// <summary>Waits until <paramref name="condition"/> holds on the page, failing with what the page showed last.</summary>
    public async Task WaitUntilAsync(Func<Task<bool>> condition, string expectation)
    {
        var shown = string.Empty;
        await Eventually.HoldsAsync(async () =>
        {
            if (await condition())
            {
                return true;
            }
            shown = await Page.Locator("body").InnerTextAsync();
            return false;
        }, () => $"The dashboard never showed {expectation}. It showed:\n{shown}");
    }
}
