using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json.Nodes;
using Clickstream.Tests.Api;
using Clickstream.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Clickstream.Tests.Telemetry;

/// <summary>The API's instruments (meter <c>Clickstream.Api</c>) after known traffic on the real host and its own broker.</summary>
public sealed class ApiMetricsTests(ApiMetricsTests.Host host) : IClassFixture<ApiMetricsTests.Host>
{
    private const string Meter = "Clickstream.Api";

    public sealed class Host : ApiHost;

    [Fact]
    public async Task Events_received_accepted_and_refused_are_counted_by_route_and_reason_and_body_sizes_by_route()
    {
        var meters = host.Factory.Services.GetRequiredService<IMeterFactory>();
        using var received = new Measured<long>(meters, Meter, "clickstream.api.events.received");
        using var accepted = new Measured<long>(meters, Meter, "clickstream.api.events.accepted");
        using var refused = new Measured<long>(meters, Meter, "clickstream.api.events.refused");
        using var unavailable = new Measured<long>(meters, Meter, "clickstream.api.unavailable");
        using var bodySize = new Measured<long>(meters, Meter, "http.server.request.body.size");
        using var client = host.CreateClient();
        var sentToEvents = new List<int>();
        var sentToBatch = new List<int>();

        async Task Post(string path, byte[] body, HttpStatusCode expected, string contentType = "application/json")
        {
            using var response = await client.PostAsync(path, ApiRequests.Json(body, contentType));
            Assert.Equal(expected, response.StatusCode);
            (path == "/events" ? sentToEvents : sentToBatch).Add(body.Length);
        }

        for (var i = 0; i < 3; i++)
        {
            await Post("/events", ApiRequests.EventWith(_ => { }), HttpStatusCode.Accepted);
        }
        await Post("/events", ApiRequests.EventWith(e => e["user_id"] = "abc"), HttpStatusCode.BadRequest);
        await Post("/events", "not json"u8.ToArray(), HttpStatusCode.BadRequest);
        // JSON in another charset is refused by the endpoint; another media type by routing, before any endpoint runs.
        await Post("/events", ApiRequests.EventWith(_ => { }), HttpStatusCode.UnsupportedMediaType, "application/json; charset=iso-8859-1");
        await Post("/events/batch", ApiRequests.BatchWith(2), HttpStatusCode.UnsupportedMediaType, "text/csv");
        await Post("/events/batch", ApiRequests.BatchWith(4), HttpStatusCode.Accepted);
        // All or nothing: two invalid events refuse the five.
        await Post("/events/batch", ApiRequests.BatchWith(5, (i, e) => { if (i is 1 or 3) e.Remove("page"); }), HttpStatusCode.BadRequest);
        await Post("/events/batch", ApiRequests.BatchWith(40, (_, e) => e["properties"] = new JsonObject { ["blob"] = new string('b', 30_000) }),
            HttpStatusCode.RequestEntityTooLarge);

        // Recorded before the answer is written: every value is there once the last answer arrived.
        Assert.Equal(3 + 1, received.Sum(("http.route", "/events")));
        Assert.Equal(4 + 5, received.Sum(("http.route", "/events/batch")));
        Assert.Equal(3 + 4, accepted.Sum());
        Assert.Equal(1 + 1 + 1 + 1 + 5, refused.Sum(("reason", "invalid")));
        Assert.Equal(1, refused.Sum(("reason", "too_large")));
        Assert.Equal(0, refused.Sum(("reason", "unavailable")));
        Assert.Empty(unavailable.All);
        Assert.Equal(sentToEvents.Count, bodySize.Count(("http.route", "/events")));
        Assert.Equal(sentToEvents.Sum(), bodySize.Sum(("http.route", "/events")));
        Assert.Equal(sentToBatch.Count, bodySize.Count(("http.route", "/events/batch")));
        Assert.Equal(sentToBatch.Sum(), bodySize.Sum(("http.route", "/events/batch")));
    }
}

/// <summary>503 answers counted by cause, and their events as refused, while the API's broker is down.</summary>
public sealed class ApiUnavailableMetricsTests(ApiUnavailableMetricsTests.Host host) : IClassFixture<ApiUnavailableMetricsTests.Host>
{
    private const string Meter = "Clickstream.Api";

    public sealed class Host : ApiHost
    {
        protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
        {
            ["Api:Publishing:Timeout"] = "00:00:02",
        };
    }

    [Fact]
    public async Task With_the_broker_down_503_answers_are_counted_as_broker_unreachable_and_their_events_as_refused_unavailable()
    {
        var meters = host.Factory.Services.GetRequiredService<IMeterFactory>();
        using var accepted = new Measured<long>(meters, Meter, "clickstream.api.events.accepted");
        using var refused = new Measured<long>(meters, Meter, "clickstream.api.events.refused");
        using var unavailable = new Measured<long>(meters, Meter, "clickstream.api.unavailable");
        using var client = host.CreateClient();
        using (var warm = await client.PostAsync("/events", ApiRequests.Json(ApiRequests.Event(1))))
        {
            Assert.Equal(HttpStatusCode.Accepted, warm.StatusCode);
        }

        host.Broker.SetBrokerDown(1);
        try
        {
            // Once readiness says the cluster is gone, a publish that gets no ack blames the broker, not a slow ack.
            Assert.True(await Eventually.TrueAsync(ApiRequests.Answers(client, "/health/ready", HttpStatusCode.ServiceUnavailable), TimeSpan.FromSeconds(30)));
            using (var single = await client.PostAsync("/events", ApiRequests.Json(ApiRequests.Event(2))))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, single.StatusCode);
            }
            using (var batch = await client.PostAsync("/events/batch", ApiRequests.Json([ApiRequests.Event(3), ApiRequests.Event(4)])))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, batch.StatusCode);
            }
        }
        finally
        {
            host.Broker.SetBrokerUp(1);
        }

        Assert.Equal(2, unavailable.Sum(("cause", "broker_unreachable")));
        Assert.Equal(2, unavailable.Sum());
        Assert.Equal(1 + 2, refused.Sum(("reason", "unavailable")));
        Assert.Equal(1, accepted.Sum());
    }
}

/// <summary>Refusals before the handler runs (authentication, the rate limiter) are counted on the ingestion routes only.</summary>
public sealed class ApiProtectionMetricsTests(ApiProtectionMetricsTests.Host host) : IClassFixture<ApiProtectionMetricsTests.Host>
{
    private const string Meter = "Clickstream.Api";
    private const string Key = "key-for-metrics-0001";
    private const string PublishableKey = "pk-for-metrics-0001";
    private const int PermitLimit = 2;

    public sealed class Host : ApiHost
    {
        protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
        {
            ["Api:Keys:0"] = Key,
            ["Api:PublishableKeys:0:Key"] = PublishableKey,
            ["Api:PublishableKeys:0:Origins:0"] = "https://shop.example",
            ["Api:RateLimit:PerKey:PermitLimit"] = PermitLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // Far longer than the test: the window cannot reset under it.
            ["Api:RateLimit:PerKey:Window"] = "01:00:00",
        };
    }

    [Fact]
    public async Task Requests_without_a_key_count_as_unauthorized_from_a_wrong_origin_as_forbidden_and_over_the_limit_as_rate_limited_on_the_ingestion_routes_only()
    {
        var meters = host.Factory.Services.GetRequiredService<IMeterFactory>();
        using var accepted = new Measured<long>(meters, Meter, "clickstream.api.events.accepted");
        using var refused = new Measured<long>(meters, Meter, "clickstream.api.events.refused");
        using var client = host.CreateClient();

        using (var anonymous = await client.PostAsync("/events", ApiRequests.Json(ApiRequests.Event(1))))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }
        // Not an ingestion route: refused too, and not counted as refused events.
        using (var read = await client.GetAsync($"/events/{Guid.NewGuid()}"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, read.StatusCode);
        }
        using (var wrongOrigin = new HttpRequestMessage(HttpMethod.Post, $"/events?key={PublishableKey}") { Content = ApiRequests.Json(ApiRequests.Event(2)) })
        {
            wrongOrigin.Headers.Add("Origin", "https://elsewhere.example");
            Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(wrongOrigin)).StatusCode);
        }
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < PermitLimit + 1; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/events") { Content = ApiRequests.Json(ApiRequests.Event(10 + i)) };
            request.Headers.Add("X-Api-Key", Key);
            using var response = await client.SendAsync(request);
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.Accepted, HttpStatusCode.Accepted, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(1, refused.Sum(("reason", "unauthorized")));
        Assert.Equal(1, refused.Sum(("reason", "rate_limited")));
        Assert.Equal(1, refused.Sum(("reason", "forbidden")));
        Assert.Equal(3, refused.Sum());
        Assert.Equal(PermitLimit, accepted.Sum());
    }
}
