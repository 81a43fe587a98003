using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Clickstream.Tests.Api;

public sealed class ConsumerLagApiHost : ApiHost
{
    public const long MaxLag = 64 * 1024;

    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Api:Publishing:MaxConsumerLagBytes"] = MaxLag.ToString(),
        // Past the bound a request waits this long for the consumers before it is refused.
        ["Api:Publishing:Timeout"] = "00:00:01",
    };
}

/// <summary>
/// With a consumer-lag bound and no consumer in the process (nothing fetches), the API accepts until the bound; past
/// it a request waits for the consumers (here 1 s, the publish timeout) and is then refused, published nowhere.
/// </summary>
public sealed class ConsumerLagTests(ConsumerLagApiHost host) : IClassFixture<ConsumerLagApiHost>
{
    [Fact]
    public async Task Past_the_lag_bound_a_request_gets_503_with_Retry_After_1_and_none_of_its_events_reach_kafka()
    {
        using var client = host.CreateClient();
        var accepted = 0;
        HttpResponseMessage? refused = null;
        for (var request = 0; request < 100 && refused is null; request++)
        {
            var batch = Enumerable.Range(request * 50, 50).Select(i => ApiRequests.Event(i)).ToArray();
            var response = await client.PostAsync("/events/batch", ApiRequests.Json(batch));
            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                accepted += batch.Length;
            }
            else
            {
                refused = response;
            }
        }

        Assert.NotNull(refused);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("The pipeline is behind.", problem.GetProperty("title").GetString());
        Assert.Contains("64 KiB", problem.GetProperty("detail").GetString());
        Assert.Contains("did not catch up within 1 s", problem.GetProperty("detail").GetString());
        // About 64 KiB on the fullest of 3 partitions: a few hundred events of ~300 bytes.
        Assert.InRange(accepted, 200, 2_000);
        Assert.Equal(accepted, host.EventsOnTopic());

        using var single = await client.PostAsync("/events", ApiRequests.Json(ApiRequests.Event(99_999)));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, single.StatusCode);
        Assert.Equal(accepted, host.EventsOnTopic());
    }
}
