using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Clickstream.Tests.Api;

public sealed class ProtectedApiHost : ApiHost
{
    public const string Key = "key-for-clients-0001";
    public const string RateLimitedKey = "key-for-the-limit-0002";
    public const int PermitLimit = 3;

    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Api:Keys:0"] = Key,
        ["Api:Keys:1"] = RateLimitedKey,
        ["Api:RateLimit:PerKey:PermitLimit"] = PermitLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
        // A window far longer than the test, so the limit cannot reset under it.
        ["Api:RateLimit:PerKey:Window"] = "01:00:00",
    };
}

/// <summary>With keys configured only key holders get in, each key within its rate limit.</summary>
public sealed class ProtectionTests(ProtectedApiHost host) : IClassFixture<ProtectedApiHost>
{
    [Theory]
    [InlineData(null, null)]
    [InlineData("X-Api-Key", "wrong-key-of-enough-length")]
    [InlineData("X-Api-Key", "")]
    [InlineData("Authorization", "Bearer wrong-key-of-enough-length")]
    [InlineData("Authorization", "Basic a2V5LWZvci1jbGllbnRzLTAwMDE=")]
    [InlineData("X-Api-Key", "key-for-clients-000")]
    public async Task A_request_without_a_valid_key_gets_401_with_problem_details(string? header, string? value)
    {
        using var client = host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/events") { Content = ApiRequests.Json(ApiRequests.Event()) };
        if (header is not null)
        {
            request.Headers.TryAddWithoutValidation(header, value);
        }

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.NotEmpty(response.Headers.WwwAuthenticate);
        Assert.Equal(401, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task The_right_key_in_X_Api_Key_or_as_a_bearer_token_gets_202()
    {
        using var client = host.CreateClient();

        using var byHeader = new HttpRequestMessage(HttpMethod.Post, "/events") { Content = ApiRequests.Json(ApiRequests.Event(1)) };
        byHeader.Headers.Add("X-Api-Key", ProtectedApiHost.Key);
        using var headerResponse = await client.SendAsync(byHeader);

        using var byBearer = new HttpRequestMessage(HttpMethod.Post, "/events/batch") { Content = ApiRequests.Json([ApiRequests.Event(2)]) };
        byBearer.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ProtectedApiHost.Key);
        using var bearerResponse = await client.SendAsync(byBearer);

        Assert.Equal(HttpStatusCode.Accepted, headerResponse.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, bearerResponse.StatusCode);
    }

    [Fact]
    public async Task A_key_over_its_rate_limit_gets_429_with_Retry_After()
    {
        using var client = host.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", ProtectedApiHost.RateLimitedKey);
        for (var i = 0; i < ProtectedApiHost.PermitLimit; i++)
        {
            using var allowed = await client.PostAsync("/events", ApiRequests.Json(ApiRequests.Event(i)));
            Assert.Equal(HttpStatusCode.Accepted, allowed.StatusCode);
        }

        using var limited = await client.PostAsync("/events", ApiRequests.Json(ApiRequests.Event(99)));

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.InRange(limited.Headers.RetryAfter?.Delta ?? TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Health_and_docs_need_no_key()
    {
        using var client = host.CreateClient();

        using var live = await client.GetAsync("/health/live");
        using var document = await client.GetAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, document.StatusCode);
    }
}
