using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Clickstream.Api.Configuration;
using Clickstream.Tests.EndToEnd;

namespace Clickstream.Tests.Api;

public sealed class BrowserApiHost : ApiHost
{
    public const string Site = "https://shop.example";

    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Api:Cors:AllowedOrigins:0"] = Site,
        ["Api:Cors:AllowedOrigins:1"] = "http://127.0.0.2:5173",
    };
}

/// <summary>What web pages send: text/plain beacons, gzip bodies (limited by what they decompress to), CORS from configured origins.</summary>
public sealed class BrowserRequestTests(BrowserApiHost host) : IClassFixture<BrowserApiHost>
{
    [Fact]
    public async Task A_beacon_body_sent_as_text_plain_is_read_as_json_and_accepted()
    {
        using var client = host.CreateClient();
        var before = host.EventsOnTopic();

        using var response = await client.PostAsync("/events/batch", ApiRequests.Json(ApiRequests.BatchWith(3), "text/plain;charset=UTF-8"));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(3, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accepted").GetInt32());
        Assert.Equal(before + 3, host.EventsOnTopic());
    }

    [Fact]
    public async Task A_gzip_body_is_decompressed_and_accepted()
    {
        using var client = host.CreateClient();
        var before = host.EventsOnTopic();

        using var response = await client.PostAsync("/events/batch", Gzip(ApiRequests.BatchWith(5)));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(before + 5, host.EventsOnTopic());
    }

    [Fact]
    public async Task A_gzip_body_that_decompresses_past_the_batch_limit_is_413_however_small_it_is_compressed()
    {
        using var client = host.CreateClient();
        var limit = new IngestionLimits().MaxBatchBytes;
        // 64 MiB of spaces around an empty array: valid JSON, a few tens of KiB compressed.
        var bomb = new byte[64 * 1024 * 1024];
        Array.Fill(bomb, (byte)' ');
        bomb[0] = (byte)'[';
        bomb[^1] = (byte)']';
        using var content = Gzip(bomb);
        Assert.True((await content.ReadAsByteArrayAsync()).Length < limit / 4);

        using var response = await client.PostAsync("/events/batch", content);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains($"larger than {limit} bytes", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_body_that_says_gzip_but_is_not_is_400_and_an_unsupported_encoding_is_415()
    {
        using var client = host.CreateClient();
        using var notGzip = ApiRequests.Json(ApiRequests.BatchWith(1));
        notGzip.Headers.ContentEncoding.Add("gzip");
        using var brotli = ApiRequests.Json(ApiRequests.BatchWith(1));
        brotli.Headers.ContentEncoding.Add("br");

        using var bad = await client.PostAsync("/events/batch", notGzip);
        using var unsupported = await client.PostAsync("/events/batch", brotli);

        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("not valid gzip", await bad.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, unsupported.StatusCode);
        Assert.Contains("Content-Encoding br", await unsupported.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_preflight_from_an_allowed_origin_is_answered_with_what_a_json_fetch_needs_and_a_cache_lifetime()
    {
        using var client = host.CreateClient();
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/events/batch");
        preflight.Headers.Add("Origin", BrowserApiHost.Site);
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "content-type,x-api-key");

        using var response = await client.SendAsync(preflight);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(BrowserApiHost.Site, Single(response, "Access-Control-Allow-Origin"));
        Assert.Contains("POST", Single(response, "Access-Control-Allow-Methods"));
        Assert.Contains("content-type", Single(response, "Access-Control-Allow-Headers"), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("x-api-key", Single(response, "Access-Control-Allow-Headers"), StringComparison.OrdinalIgnoreCase);
        Assert.Equal("600", Single(response, "Access-Control-Max-Age"));
    }

    [Fact]
    public async Task A_post_from_an_allowed_origin_may_be_read_by_the_page_and_one_from_another_origin_may_not()
    {
        using var client = host.CreateClient();
        using var allowed = new HttpRequestMessage(HttpMethod.Post, "/events") { Content = ApiRequests.Json(ApiRequests.Event(1)) };
        allowed.Headers.Add("Origin", BrowserApiHost.Site);
        using var other = new HttpRequestMessage(HttpMethod.Options, "/events");
        other.Headers.Add("Origin", "https://evil.example");
        other.Headers.Add("Access-Control-Request-Method", "POST");

        using var accepted = await client.SendAsync(allowed);
        using var refused = await client.SendAsync(other);

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.Equal(BrowserApiHost.Site, Single(accepted, "Access-Control-Allow-Origin"));
        Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"), "Another origin's preflight was allowed.");
    }

    [Fact]
    public async Task A_beacon_from_a_page_of_an_origin_not_allowed_is_refused_with_403_though_cors_cannot_stop_it()
    {
        using var client = host.CreateClient();
        var before = host.EventsOnTopic();
        using var beacon = new HttpRequestMessage(HttpMethod.Post, "/events/batch") { Content = ApiRequests.Json(ApiRequests.BatchWith(2), "text/plain;charset=UTF-8") };
        beacon.Headers.Add("Origin", "https://elsewhere.example");

        using var response = await client.SendAsync(beacon);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("add the origin to Api:Cors:AllowedOrigins", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before, host.EventsOnTopic());
    }

    [Theory]
    [InlineData(BrowserApiHost.Site)]
    [InlineData("http://127.0.0.2:5173")]
    [InlineData("http://localhost")] // the API's own pages (the demo)
    [InlineData(null)] // not a page: a service, curl
    public async Task Events_from_an_allowed_origin_the_api_s_own_pages_or_no_page_are_accepted(string? origin)
    {
        using var client = host.CreateClient();
        var before = host.EventsOnTopic();
        using var beacon = new HttpRequestMessage(HttpMethod.Post, "/events/batch") { Content = ApiRequests.Json(ApiRequests.BatchWith(1), "text/plain;charset=UTF-8") };
        if (origin is not null)
        {
            beacon.Headers.Add("Origin", origin);
        }

        using var response = await client.SendAsync(beacon);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(before + 1, host.EventsOnTopic());
    }

    [Theory]
    [InlineData("*", "Api:Cors:AllowedOrigins may be * only while no Api:Keys or Api:PublishableKeys are configured")]
    [InlineData("https://shop.example/checkout", "Api:Cors:AllowedOrigins entry 'https://shop.example/checkout' is not an origin")]
    public async Task Cors_settings_that_cannot_be_right_stop_the_start_naming_the_setting(string origin, string problem)
    {
        var (exitCode, output) = await StandaloneApp.RunUntilExitAsync(new Dictionary<string, string>
        {
            ["Standalone__Enabled"] = "false",
            ["Kafka__BootstrapServers"] = "127.0.0.1:9",
            ["Api__Cors__AllowedOrigins__0"] = origin,
            ["Api__Keys__0"] = "a-server-key-of-some-length",
        });

        Assert.Equal(1, exitCode);
        Assert.Contains("Clickstream could not start: ", output, StringComparison.Ordinal);
        Assert.Contains(problem, output, StringComparison.Ordinal);
    }

    private static string Single(HttpResponseMessage response, string header) =>
        Assert.Single(response.Headers.TryGetValues(header, out var values) ? values : []);

    private static ByteArrayContent Gzip(byte[] json)
    {
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(json);
        }
        var content = new ByteArrayContent(compressed.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        content.Headers.ContentEncoding.Add("gzip");
        return content;
    }
}
