using System.Diagnostics.Metrics;
using System.Net;
using Clickstream.Contracts;
using Clickstream.Kafka.Embedded;
using Clickstream.Tests.Api;
using Clickstream.Tests.Infrastructure;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Clickstream.Tests.Telemetry;

/// <summary>A broker that answers, but later than the publish bound: the 503 is a publish timeout, not an unreachable broker.</summary>
public sealed class ApiPublishTimeoutMetricsTests(ApiPublishTimeoutMetricsTests.Host host) : IClassFixture<ApiPublishTimeoutMetricsTests.Host>
{
    public static readonly TimeSpan RoundTrip = TimeSpan.FromSeconds(3);

    public sealed class Host : ApiHost
    {
        protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
        {
            ["Api:Publishing:Timeout"] = "00:00:01",
            // The readiness probe waits out the slow round trips: the cluster stays reachable throughout.
            ["Api:Readiness:ProbeTimeout"] = "00:00:20",
        };
    }

    [Fact]
    public async Task A_reachable_broker_acknowledging_after_the_bound_is_counted_as_publish_timeout()
    {
        var meters = host.Factory.Services.GetRequiredService<IMeterFactory>();
        using var unavailable = new Measured<long>(meters, "Clickstream.Api", "clickstream.api.unavailable");
        using var client = host.CreateClient();
        using (var warm = await client.PostAsync("/events", ApiRequests.Json(ApiRequests.Event(1))))
        {
            Assert.Equal(HttpStatusCode.Accepted, warm.StatusCode);
        }
        Assert.True(await Eventually.TrueAsync(ApiRequests.Answers(client, "/health/ready", HttpStatusCode.OK), TimeSpan.FromSeconds(30)));

        host.Broker.SetRoundTripTime(1, RoundTrip);
        try
        {
            using var slow = await client.PostAsync("/events", ApiRequests.Json(ApiRequests.Event(2)));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, slow.StatusCode);
            using var ready = await client.GetAsync("/health/ready");
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }
        finally
        {
            host.Broker.SetRoundTripTime(1, TimeSpan.Zero);
        }

        Assert.Equal(1, unavailable.Sum(("cause", "publish_timeout")));
        Assert.Equal(1, unavailable.Sum());
    }
}

/// <summary>A producer broken by a fatal error: its 503s are counted as producer_failed, and its failed sends with their error.</summary>
public sealed class ApiProducerFailureMetricsTests(ApiProducerFailureMetricsTests.Host host) : IClassFixture<ApiProducerFailureMetricsTests.Host>
{
    public sealed class Host : ApiHost
    {
        // On the fake clock the broken producer is not rebuilt while the test runs.
        public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

        protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<TimeProvider>(Clock);

        protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
        {
            ["Api:Publishing:Timeout"] = "00:00:02",
            ["Api:Publishing:ProducerRebuildDelay"] = "00:01:00",
        };
    }

    [Fact]
    public async Task Events_refused_by_a_fatally_broken_producer_are_counted_as_producer_failed_and_as_failed_sends()
    {
        var meters = host.Factory.Services.GetRequiredService<IMeterFactory>();
        using var unavailable = new Measured<long>(meters, "Clickstream.Api", "clickstream.api.unavailable");
        using var sent = new Measured<long>(meters, "Clickstream.Kafka", "messaging.client.sent.messages");
        using var client = host.CreateClient();
        using (var warm = await client.PostAsync("/events", ApiRequests.Json(ApiRequests.Event(1))))
        {
            Assert.Equal(HttpStatusCode.Accepted, warm.StatusCode);
        }

        // A sequence desynchronization: librdkafka declares the idempotent producer fatally broken.
        host.Broker.PushRequestErrors(KafkaApiKey.Produce, ErrorCode.OutOfOrderSequenceNumber);
        using (var first = await client.PostAsync("/events", ApiRequests.Json(ApiRequests.Event(2))))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, first.StatusCode);
        }
        Assert.True(await Eventually.TrueAsync(ApiRequests.Answers(client, "/health/ready", HttpStatusCode.ServiceUnavailable), TimeSpan.FromSeconds(30)));
        var before = unavailable.Sum(("cause", "producer_failed"));
        using (var broken = await client.PostAsync("/events/batch", ApiRequests.Json([ApiRequests.Event(3), ApiRequests.Event(4)])))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, broken.StatusCode);
        }

        Assert.Equal(before + 1, unavailable.Sum(("cause", "producer_failed")));
        Assert.Equal(2, unavailable.Sum());
        // The warm-up acknowledged; the three events after the error failed with the error librdkafka reports for good.
        Assert.Equal(1 + 1 + 2, sent.Sum(("messaging.destination.name", Topics.RawEvents)));
        Assert.Equal(1 + 2, sent.Sum(("error.type", nameof(ErrorCode.OutOfOrderSequenceNumber))));
    }
}
