using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Clickstream.Contracts;
using Clickstream.Kafka.Embedded;
using Clickstream.Tests.Infrastructure;
using Clickstream.Tests.Kafka;
using Confluent.Kafka;

namespace Clickstream.Tests.Api;

public sealed class ProducerFatalErrorApiHost : ApiHost
{
    // On the fake clock: the producer stays broken until the test has seen it broken and moves the clock on, so no
    // poll can miss the window however slow the machine is.
    public static readonly TimeSpan RebuildDelay = TimeSpan.FromMinutes(1);

    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<TimeProvider>(Clock);

    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Api:Publishing:Timeout"] = "00:00:02",
        ["Api:Publishing:RetryAfter"] = "00:00:01",
        ["Api:Publishing:ProducerRebuildDelay"] = RebuildDelay.ToString(),
    };
}

/// <summary>
/// An idempotent producer that librdkafka declares fatally broken is reported (readiness 503) and replaced, so the
/// API recovers by itself; nothing it acknowledged is lost or written twice.
/// </summary>
public sealed class ProducerFatalErrorTests(ProducerFatalErrorApiHost host) : IClassFixture<ProducerFatalErrorApiHost>
{
    [Fact]
    public async Task After_a_fatal_producer_error_readiness_is_503_then_the_producer_is_rebuilt_and_every_accepted_event_is_on_the_topic_once()
    {
        using var client = host.CreateClient();
        var accepted = new List<Guid>();
        var index = 0;
        async Task<HttpStatusCode> PostAsync()
        {
            var clickEvent = ApiRequests.Event(index++);
            using var response = await client.PostAsync("/events", ApiRequests.Json(clickEvent));
            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                accepted.Add(clickEvent.EventId);
            }
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.Accepted, await PostAsync());
        Assert.True(await Eventually.TrueAsync(ApiRequests.Answers(client, "/health/ready", HttpStatusCode.OK), TimeSpan.FromSeconds(30)));

        // The head-of-line request failing with OUT_OF_ORDER_SEQUENCE_NUMBER is a sequence desynchronization
        // librdkafka cannot reason about: it raises a fatal error and the producer instance is unusable from then on.
        host.Broker.PushRequestErrors(KafkaApiKey.Produce, ErrorCode.OutOfOrderSequenceNumber);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await PostAsync());

        using (var ready = await ReadinessWhenAsync(client, HttpStatusCode.ServiceUnavailable))
        {
            var producers = (await ready.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("checks").GetProperty("kafka-producers");
            Assert.Equal("Unhealthy", producers.GetProperty("status").GetString());
            var reason = producers.GetProperty("description").GetString();
            Assert.Contains($"{Topics.RawEvents}: fatal error at", reason);
            Assert.Contains("a new producer takes over at", reason);
        }

        // A client told to retry gets its event accepted once the producer is rebuilt, without a restart.
        host.Clock.Advance(ProducerFatalErrorApiHost.RebuildDelay);
        Assert.True(await Eventually.TrueAsync(async () => await PostAsync() == HttpStatusCode.Accepted, TimeSpan.FromSeconds(90)),
            "Publishing did not recover after the fatal producer error.");
        using (var ready = await ReadinessWhenAsync(client, HttpStatusCode.OK))
        {
            var producers = (await ready.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("checks").GetProperty("kafka-producers");
            Assert.Contains($"{Topics.RawEvents}: rebuilt 1 time(s), last fatal error at", producers.GetProperty("description").GetString());
        }
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Accepted, await PostAsync());
        }

        var onTopic = KafkaTestClients.ReadAll(host.Broker.BootstrapServers, Topics.RawEvents, (int)host.EventsOnTopic())
            .Select(r => JsonDocument.Parse(r.Message.Value!).RootElement.GetProperty("event_id").GetGuid())
            .ToList();
        Assert.All(accepted, id => Assert.Equal(1, onTopic.Count(onTopicId => onTopicId == id)));
    }

    private static async Task<HttpResponseMessage> ReadinessWhenAsync(HttpClient client, HttpStatusCode status)
    {
        HttpResponseMessage? last = null;
        var seen = await Eventually.TrueAsync(async () =>
        {
            last?.Dispose();
            last = await client.GetAsync("/health/ready");
            return last.StatusCode == status;
        }, TimeSpan.FromSeconds(30));
        Assert.True(seen, $"Readiness never answered {(int)status}; last {(int?)last?.StatusCode}.");
        return last!;
    }
}
