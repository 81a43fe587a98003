using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Threading.RateLimiting;
using Clickstream.Api.Configuration;
using Clickstream.Api.RateLimiting;
using Clickstream.Api.Security;
using Clickstream.Api.Telemetry;
using Clickstream.Tests.EndToEnd;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Clickstream.Tests.Api;

public sealed class KeyGuessingApiHost : ApiHost
{
    public const string Key = "key-that-is-not-guessed-0001";
    public const int Guesses = 3;

    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Api:Keys:0"] = Key,
        ["Api:RateLimit:WithoutValidKey:PermitLimit"] = Guesses.ToString(System.Globalization.CultureInfo.InvariantCulture),
        // Far longer than the test: the window cannot reset under it.
        ["Api:RateLimit:WithoutValidKey:Window"] = "01:00:00",
    };
}

/// <summary>
/// The limiter runs before the key check: requests without a valid key spend a small budget per client address, so keys
/// cannot be guessed at speed, while key holders and the open API are not limited unless a limit is configured.
/// </summary>
public sealed class RateLimitTests(KeyGuessingApiHost host) : IClassFixture<KeyGuessingApiHost>
{
    [Fact]
    public async Task Requests_without_a_valid_key_are_limited_before_the_key_check_while_the_right_key_still_gets_in()
    {
        using var client = host.CreateClient();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < KeyGuessingApiHost.Guesses; i++)
        {
            using var guess = new HttpRequestMessage(i % 2 == 0 ? HttpMethod.Post : HttpMethod.Get, i % 2 == 0 ? "/events" : $"/events/{Guid.NewGuid()}");
            guess.Headers.Add("X-Api-Key", $"guessed-key-number-{i:D4}");
            using var response = await client.SendAsync(guess);
            statuses.Add(response.StatusCode);
        }
        using var oneMore = new HttpRequestMessage(HttpMethod.Post, "/events") { Content = ApiRequests.Json(ApiRequests.Event()) };
        oneMore.Headers.Add("X-Api-Key", KeyGuessingApiHost.Key[..^1] + "2");
        using var limited = await client.SendAsync(oneMore);
        using var noKey = await client.PostAsync("/events", ApiRequests.Json(ApiRequests.Event()));
        using var right = new HttpRequestMessage(HttpMethod.Post, "/events") { Content = ApiRequests.Json(ApiRequests.Event()) };
        right.Headers.Add("X-Api-Key", KeyGuessingApiHost.Key);
        using var allowed = await client.SendAsync(right);

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.InRange(limited.Headers.RetryAfter?.Delta ?? TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        Assert.Contains("without a valid API key", (await limited.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(),
            StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.TooManyRequests, noKey.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, allowed.StatusCode);
    }

    [Fact]
    public async Task Health_is_never_limited()
    {
        using var client = host.CreateClient();
        for (var i = 0; i < KeyGuessingApiHost.Guesses * 3; i++)
        {
            using var live = await client.GetAsync("/health/live");
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void By_default_neither_one_address_nor_one_key_is_limited_however_many_requests_it_sends(bool keysRequired)
    {
        // 100,000 requests from one address (a site behind one proxy, a load test from one machine), with one key when keys
        // are required: a limit of any requests per second would refuse some of them, since asking takes microseconds.
        const string key = "the-only-key-of-the-site-01";
        var keyOptions = new ApiKeyOptions { Keys = keysRequired ? [key] : [] };
        var partitions = new RequestPartitions(Options.Create(new RateLimitOptions()), new ApiKeys(Options.Create(keyOptions)));
        using var limiter = partitions.CreateLimiter();
        var context = IngestionRequest(keysRequired ? key : null);

        var refused = 0;
        for (var i = 0; i < 100_000; i++)
        {
            using var lease = limiter.AttemptAcquire(context);
            refused += lease.IsAcquired ? 0 : 1;
        }

        Assert.Equal(0, refused);
    }

    [Fact]
    public async Task The_former_single_rate_limit_setting_stops_the_start_naming_its_replacements()
    {
        var (exitCode, output) = await StandaloneApp.RunUntilExitAsync(new Dictionary<string, string>
        {
            ["Standalone__Enabled"] = "false",
            ["Kafka__BootstrapServers"] = "127.0.0.1:9",
            ["Api__RateLimit__PermitLimit"] = "500",
            ["Api__RateLimit__PerAddress__PermitLimit"] = "0",
        });

        Assert.Equal(1, exitCode);
        Assert.Contains("Api:RateLimit:PermitLimit and Api:RateLimit:Window are replaced: set Api:RateLimit:PerKey:PermitLimit", output, StringComparison.Ordinal);
        Assert.Contains("Api:RateLimit:PerAddress:PermitLimit must be at least 1 (got 0)", output, StringComparison.Ordinal);
    }

    private static DefaultHttpContext IngestionRequest(string? key)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse("10.0.0.5");
        context.SetEndpoint(new Endpoint(null, new EndpointMetadataCollection(new AuthorizeAttribute(ApiKeyDefaults.IngestPolicy), IngestionRoute.Event), "events"));
        if (key is not null)
        {
            context.Request.Headers["X-Api-Key"] = key;
        }
        return context;
    }
}
