using System.Net.Http.Json;
using System.Text.Json;

namespace Clickstream.Tests.Api;

public sealed class BadRequestApiHost : ApiHost;

/// <summary>Every bad request gets its 4xx as problem details naming what is wrong, and nothing reaches Kafka.</summary>
public sealed class BadRequestTests(BadRequestApiHost host) : IClassFixture<BadRequestApiHost>
{
    [Fact]
    public void The_corpus_holds_at_least_forty_bad_requests() => Assert.True(BadRequestCorpus.Cases.Count >= 40);

    [Theory]
    [MemberData(nameof(BadRequestCorpus.Names), MemberType = typeof(BadRequestCorpus))]
    public async Task A_bad_request_is_refused_with_problem_details_and_nothing_is_published(string name)
    {
        var bad = BadRequestCorpus.Cases[name];
        using var client = host.CreateClient();

        using var response = await client.PostAsync(bad.Path, ApiRequests.Json(bad.Body, bad.ContentType));

        Assert.Equal(bad.Status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(bad.Status, problem.GetProperty("status").GetInt32());
        foreach (var key in new[] { bad.ErrorKey }.Concat(bad.ErrorKeys ?? []).OfType<string>())
        {
            Assert.True(problem.GetProperty("errors").TryGetProperty(key, out var messages),
                $"expected an error for '{key}' in {problem.GetProperty("errors")}");
            Assert.NotEmpty(messages.EnumerateArray());
        }
        Assert.Equal(0, host.EventsOnTopic());
    }

    [Fact]
    public async Task A_batch_with_one_invalid_event_publishes_none_of_its_valid_events()
    {
        using var client = host.CreateClient();
        var body = ApiRequests.BatchWith(10, (i, e) => { if (i == 9) { e["event_type"] = "NOT OK"; } });

        using var response = await client.PostAsync("/events/batch", ApiRequests.Json(body));

        Assert.Equal(400, (int)response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal(["[9].event_type"], errors.EnumerateObject().Select(p => p.Name));
        Assert.Equal(0, host.EventsOnTopic());
    }
}
