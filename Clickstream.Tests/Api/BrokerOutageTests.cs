using Clickstream.Tests.Infrastructure;
using System.Diagnostics;
using System.Net;

namespace Clickstream.Tests.Api;

public sealed class BrokerOutageApiHost : ApiHost
{
    public static readonly TimeSpan PublishBound = TimeSpan.FromSeconds(2);

    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Api:Publishing:Timeout"] = PublishBound.ToString(),
        ["Api:Publishing:RetryAfter"] = "00:00:03",
    };
}

/// <summary>While Kafka cannot take events the API says so (503, Retry-After) within its bound, and recovers by itself.</summary>
public sealed class BrokerOutageTests(BrokerOutageApiHost host) : IClassFixture<BrokerOutageApiHost>
{
    // Slack over the bound for scheduling on a loaded machine; the assertion is "bounded", not "fast".
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task With_the_broker_down_an_event_gets_503_with_Retry_After_within_the_bound_and_202_once_it_is_back()
    {
        using var client = host.CreateClient();
        using (var warm = await client.PostAsync("/events", ApiRequests.Json(ApiRequests.Event(1))))
        {
            Assert.Equal(HttpStatusCode.Accepted, warm.StatusCode);
        }

        host.Broker.SetBrokerDown(1);
        try
        {
            var elapsed = Stopwatch.StartNew();
            using var down = await client.PostAsync("/events", ApiRequests.Json(ApiRequests.Event(2)));
            elapsed.Stop();

            Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(3), down.Headers.RetryAfter?.Delta);
            Assert.Equal("application/problem+json", down.Content.Headers.ContentType?.MediaType);
            Assert.True(elapsed.Elapsed < BrokerOutageApiHost.PublishBound + Slack, $"answered after {elapsed.Elapsed}");

            using var batch = await client.PostAsync("/events/batch", ApiRequests.Json([ApiRequests.Event(3), ApiRequests.Event(4)]));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, batch.StatusCode);
            Assert.NotNull(batch.Headers.RetryAfter);

            Assert.True(await Eventually.TrueAsync(ApiRequests.Answers(client, "/health/ready", HttpStatusCode.ServiceUnavailable), TimeSpan.FromSeconds(30)));
            using var live = await client.GetAsync("/health/live");
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        }
        finally
        {
            host.Broker.SetBrokerUp(1);
        }

        // The producer reconnects with backoff: retry, as a client told "Retry-After" would, until it is accepted.
        var index = 10;
        Assert.True(await Eventually.TrueAsync(async () =>
        {
            using var response = await client.PostAsync("/events", ApiRequests.Json(ApiRequests.Event(index++)));
            return response.StatusCode == HttpStatusCode.Accepted;
        }, TimeSpan.FromSeconds(45)));
        Assert.True(await Eventually.TrueAsync(ApiRequests.Answers(client, "/health/ready", HttpStatusCode.OK), TimeSpan.FromSeconds(30)));
    }
}
