using Clickstream.Tests.Infrastructure;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Clickstream.Contracts;

namespace Clickstream.Tests.Api;

public sealed class IngestionApiHost : ApiHost;

/// <summary>Valid events are answered 202 only once Kafka holds them, exactly as sent, stamped and keyed by user.</summary>
public sealed class IngestionTests(IngestionApiHost host) : IClassFixture<IngestionApiHost>
{
    [Fact]
    public async Task A_valid_event_is_accepted_and_is_on_raw_events_keyed_by_user_id_with_received_at()
    {
        using var client = host.CreateClient();
        var sent = ApiRequests.Event(1, userId: 4242);
        var before = DateTimeOffset.UtcNow;
        var onTopicBefore = host.EventsOnTopic();

        using var response = await client.PostAsync("/events", ApiRequests.Json(sent));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(sent.EventId, body.GetProperty("event_id").GetGuid());
        // The 202 came after the ack: the event is already counted on the topic.
        Assert.Equal(onTopicBefore + 1, host.EventsOnTopic());

        var (published, kafka) = Assert.Single(PublishedEvents.ReadAll(host), p => p.Event.EventId == sent.EventId);
        Assert.Equal("4242", kafka.Message.Key);
        Assert.Equal(sent with { ReceivedAt = published.ReceivedAt, Properties = null }, published with { Properties = null });
        Assert.Equal(sent.EventTime.Offset, published.EventTime.Offset);
        Assert.Equal(JsonSerializer.Serialize(sent.Properties), JsonSerializer.Serialize(published.Properties));
        Assert.InRange(published.ReceivedAt!.Value, before.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(1));
    }

    [Fact]
    public async Task A_valid_batch_is_accepted_and_exactly_its_events_are_on_raw_events_keyed_by_user_id()
    {
        using var client = host.CreateClient();
        var sent = Enumerable.Range(100, 250).Select(i => ApiRequests.Event(i, userId: 1 + i % 7)).ToList();
        var onTopicBefore = host.EventsOnTopic();

        using var response = await client.PostAsync("/events/batch", ApiRequests.Json(sent));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(sent.Count, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accepted").GetInt32());
        Assert.Equal(onTopicBefore + sent.Count, host.EventsOnTopic());

        var published = PublishedEvents.ReadAll(host).Where(p => sent.Any(s => s.EventId == p.Event.EventId)).ToList();
        Assert.Equal(sent.Select(e => e.EventId).Order(), published.Select(p => p.Event.EventId).Order());
        var receivedAt = Assert.Single(published.Select(p => p.Event.ReceivedAt).Distinct());
        Assert.NotNull(receivedAt);
        foreach (var (clickEvent, kafka) in published)
        {
            Assert.Equal(clickEvent.UserId.ToString(System.Globalization.CultureInfo.InvariantCulture), kafka.Message.Key);
        }
        // One user's events share a partition, in the order of the batch.
        foreach (var user in published.GroupBy(p => p.Kafka.Message.Key))
        {
            Assert.Single(user.Select(p => p.Kafka.Partition.Value).Distinct());
            var order = sent.Where(s => s.UserId.ToString(System.Globalization.CultureInfo.InvariantCulture) == user.Key).Select(s => s.EventId);
            Assert.Equal(order, user.OrderBy(p => p.Kafka.Offset.Value).Select(p => p.Event.EventId));
        }
    }

    [Fact]
    public async Task Liveness_and_readiness_answer_healthy_while_the_broker_is_up()
    {
        using var client = host.CreateClient();

        using var live = await client.GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        // The first probe may still be on its way: readiness is a state that settles.
        Assert.True(await Eventually.TrueAsync(ApiRequests.Answers(client, "/health/ready", HttpStatusCode.OK), TimeSpan.FromSeconds(30)));
    }
}
