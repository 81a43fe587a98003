using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Clickstream.Tests.EndToEnd;

namespace Clickstream.Tests.Api;

public sealed class PublishableKeyApiHost : ApiHost
{
    public const string ServerKey = "server-key-for-services-0001";
    public const string SiteKey = "pk-for-the-shop-site-0001";
    public const string AnywhereKey = "pk-for-any-page-at-all-0002";
    public const string Site = "https://shop.example";

    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Api:Keys:0"] = ServerKey,
        ["Api:PublishableKeys:0:Key"] = SiteKey,
        ["Api:PublishableKeys:0:Origins:0"] = Site,
        ["Api:PublishableKeys:1:Key"] = AnywhereKey,
    };
}

/// <summary>
/// Publishable keys, the ones in web pages: they may only send events, as a header or (for beacons) the <c>key</c> query
/// parameter, and, bound to origins, only from those pages. Server keys are never taken from a URL.
/// </summary>
public sealed class PublishableKeyTests(PublishableKeyApiHost host) : IClassFixture<PublishableKeyApiHost>
{
    [Fact]
    public async Task A_publishable_key_sends_events_in_the_header_or_as_the_key_query_parameter_a_beacon_can_carry()
    {
        using var client = host.CreateClient();
        var before = host.EventsOnTopic();

        using var byHeader = Post("/events/batch", PublishableKeyApiHost.Site, ApiRequests.BatchWith(2));
        byHeader.Headers.Add("X-Api-Key", PublishableKeyApiHost.SiteKey);
        using var headerResponse = await client.SendAsync(byHeader);
        using var beacon = Post($"/events/batch?key={PublishableKeyApiHost.SiteKey}", PublishableKeyApiHost.Site, ApiRequests.BatchWith(3), "text/plain;charset=UTF-8");
        using var beaconResponse = await client.SendAsync(beacon);

        Assert.Equal(HttpStatusCode.Accepted, headerResponse.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, beaconResponse.StatusCode);
        Assert.Equal(before + 5, host.EventsOnTopic());
    }

    [Theory]
    [InlineData("https://evil.example")]
    [InlineData("https://shop.example.evil.example")]
    [InlineData("http://shop.example")]
    [InlineData(null)]
    public async Task A_key_bound_to_an_origin_is_refused_with_403_from_any_other_page_or_with_no_origin(string? origin)
    {
        using var client = host.CreateClient();
        var before = host.EventsOnTopic();
        using var request = Post($"/events?key={PublishableKeyApiHost.SiteKey}", origin, ApiRequests.EventWith(_ => { }));

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(403, problem.GetProperty("status").GetInt32());
        Assert.Contains("bound to other origins", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, host.EventsOnTopic());
    }

    [Fact]
    public async Task A_key_bound_to_no_origin_is_taken_from_any_page()
    {
        using var client = host.CreateClient();
        using var request = Post($"/events?key={PublishableKeyApiHost.AnywhereKey}", "https://any.example", ApiRequests.EventWith(_ => { }));

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Theory]
    [InlineData("/dashboard/data")]
    [InlineData("/events/00000000-0000-0000-0000-000000000001")]
    public async Task A_publishable_key_may_not_read_it_gets_403_and_a_server_key_may(string path)
    {
        using var client = host.CreateClient();
        using var publishable = new HttpRequestMessage(HttpMethod.Get, path);
        publishable.Headers.Add("X-Api-Key", PublishableKeyApiHost.AnywhereKey);
        using var server = new HttpRequestMessage(HttpMethod.Get, path);
        server.Headers.Add("X-Api-Key", PublishableKeyApiHost.ServerKey);

        using var refused = await client.SendAsync(publishable);
        using var allowed = await client.SendAsync(server);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("may only send events", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.NotEqual(HttpStatusCode.Forbidden, allowed.StatusCode);
        Assert.NotEqual(HttpStatusCode.Unauthorized, allowed.StatusCode);
    }

    [Theory]
    [InlineData("/events")]
    [InlineData("/events/00000000-0000-0000-0000-000000000001")]
    public async Task A_server_key_in_the_url_is_refused_with_401_saying_to_rotate_it(string path)
    {
        using var client = host.CreateClient();
        var before = host.EventsOnTopic();
        using var request = new HttpRequestMessage(path == "/events" ? HttpMethod.Post : HttpMethod.Get, $"{path}?key={PublishableKeyApiHost.ServerKey}");
        if (request.Method == HttpMethod.Post)
        {
            request.Content = ApiRequests.Json(ApiRequests.Event());
        }

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var detail = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString();
        Assert.Contains("server key was sent in the URL", detail, StringComparison.Ordinal);
        Assert.Contains("rotate it", detail, StringComparison.Ordinal);
        Assert.Equal(before, host.EventsOnTopic());
    }

    [Fact]
    public async Task A_page_of_a_bound_origin_passes_the_cors_preflight_without_being_listed_in_Api_Cors()
    {
        using var client = host.CreateClient();
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/events/batch");
        preflight.Headers.Add("Origin", PublishableKeyApiHost.Site);
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "content-type,x-api-key");

        using var response = await client.SendAsync(preflight);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(PublishableKeyApiHost.Site, Assert.Single(response.Headers.GetValues("Access-Control-Allow-Origin")));
    }

    [Theory]
    [InlineData("Api__PublishableKeys__0__Key", "short", "Api:PublishableKeys:0:Key must be set, at least 16 characters long")]
    [InlineData("Api__PublishableKeys__0__Key", PublishableKeyApiHost.ServerKey, "Api:PublishableKeys:0:Key is also a server key")]
    [InlineData("Api__PublishableKeys__0__Origins__0", "shop.example", "Api:PublishableKeys:0:Origins entry 'shop.example' is not an origin")]
    public async Task Publishable_key_settings_that_cannot_be_right_stop_the_start_naming_the_setting(string name, string value, string problem)
    {
        var settings = new Dictionary<string, string>
        {
            ["Standalone__Enabled"] = "false",
            ["Kafka__BootstrapServers"] = "127.0.0.1:9",
            ["Api__Keys__0"] = PublishableKeyApiHost.ServerKey,
            ["Api__PublishableKeys__0__Key"] = PublishableKeyApiHost.SiteKey,
        };
        settings[name] = value;

        var (exitCode, output) = await StandaloneApp.RunUntilExitAsync(settings);

        Assert.Equal(1, exitCode);
        Assert.Contains("Clickstream could not start: ", output, StringComparison.Ordinal);
        Assert.Contains(problem, output, StringComparison.Ordinal);
    }

    private static HttpRequestMessage Post(string path, string? origin, byte[] body, string contentType = "application/json")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = ApiRequests.Json(body, contentType) };
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }
        return request;
    }
}
