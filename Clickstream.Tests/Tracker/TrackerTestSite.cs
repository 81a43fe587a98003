using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Clickstream.Tests.Tracker;

/// <summary>
/// A shop's web site on a loopback address of its own (127.0.0.2, 127.0.0.3: another origin than the API's 127.0.0.1),
/// a Kestrel app in the test process: every path serves the same page, which loads <c>&lt;api&gt;/tracker.js</c> and
/// starts it, has a <c>data-track</c> button (with a child element) and a link that navigates with <c>pushState</c>.
/// </summary>
internal sealed class TrackerTestSite : IAsyncDisposable
{
    private readonly WebApplication _app;
    private string _page = "<!doctype html><title>not served yet</title>";

    private TrackerTestSite(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>The site's address, e.g. http://127.0.0.2:41234/.</summary>
    public Uri Address { get; }

    /// <summary>What the API allows in <c>Api:Cors:AllowedOrigins</c>: scheme, host and port.</summary>
    public string Origin => Address.GetLeftPart(UriPartial.Authority);

    public static async Task<TrackerTestSite> StartAsync(string loopbackHost)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://{loopbackHost}:0");
        var app = builder.Build();
        TrackerTestSite? site = null;
        app.MapGet("/{**path}", () => Results.Content(site!._page, "text/html; charset=utf-8"));
        await app.StartAsync();
        site = new TrackerTestSite(app, new Uri(app.Urls.Single()));
        return site;
    }

    /// <summary>From now on the page starts the tracker against <paramref name="api"/>, with <paramref name="key"/> and <paramref name="userId"/> when given.</summary>
    public void ServeTrackerOf(Uri api, string? key = null, long? userId = null)
    {
        var endpoint = api.ToString().TrimEnd('/');
        var options = JsonSerializer.Serialize(new Dictionary<string, object?> { ["endpoint"] = endpoint, ["key"] = key, ["userId"] = userId });
        _page = $$"""
            <!doctype html>
            <html lang="en">
            <head>
              <meta charset="utf-8">
              <title>A shop</title>
              <script src="{{endpoint}}/tracker.js"></script>
              <script>clickstream.init({{options}});</script>
            </head>
            <body>
              <button id="add" data-track="add_to_cart" data-track-product="42"><span id="add-label">Add to cart</span></button>
              <a id="product" href="/products/42">Product 42</a>
              <script>
                document.getElementById('product').addEventListener('click', (e) => {
                  e.preventDefault();
                  history.pushState(null, '', '/products/42');
                });
              </script>
            </body>
            </html>
            """;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
