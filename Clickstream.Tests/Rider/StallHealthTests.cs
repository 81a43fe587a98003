using Clickstream.Contracts;
using Clickstream.Kafka;
using Clickstream.Kafka.Embedded;
using Clickstream.Kafka.Producing;
using Clickstream.Tests.Infrastructure;
using Clickstream.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Clickstream.Tests.Rider;

public sealed class StallHealthTests
{
    [Fact]
    public async Task Readiness_turns_unhealthy_naming_a_partition_with_lag_and_no_progress_and_healthy_again_once_it_moves()
    {
        await using var broker = EmbeddedKafkaBroker.Start(new() { Topics = { [Topics.RawEvents] = 1, [Topics.RawEventsDeadLetter] = 1 } });
        var received = new Received();
        var gate = new BackpressureTests.Gate();
        await using var host = await BackpressureTests.StartGatedAsync(broker, received, gate, "stall",
            s => s.StallAfter = TimeSpan.FromSeconds(3),
            s => s.AddHealthChecks().AddKafkaRider());
        var health = host.Services.GetRequiredService<HealthCheckService>();
        HealthReport? report = null;
        await Eventually.HoldsAsync(async () => (report = await health.CheckHealthAsync()).Status == HealthStatus.Healthy,
            () => $"Readiness stayed {report?.Status}: {report?.Entries["kafka"].Description}");

        await host.GetScoped<ITopicProducer<ClickEvent>>().ProduceManyAsync(ClickEvents.Many(100));
        await Eventually.HoldsAsync(async () => (report = await health.CheckHealthAsync()).Status == HealthStatus.Unhealthy,
            () => $"Readiness stayed {report?.Status} while the consumer was blocked: {report?.Entries["kafka"].Description}");
        var entry = report!.Entries["kafka"];
        Assert.Equal($"Partition(s) with lag made no progress: {Topics.RawEvents}/stall [0] for over 00:00:03", entry.Description);
        // The lag counts the 50 messages received (the in-flight limit) and, once a fetch reported it, the partition's end.
        var stalled = System.Text.RegularExpressions.Regex.Match((string)entry.Data[$"{Topics.RawEvents}/stall[0]"], @"^stalled: lag (\d+), no progress since (.+)$");
        Assert.True(stalled.Success, (string)entry.Data[$"{Topics.RawEvents}/stall[0]"]);
        Assert.InRange(int.Parse(stalled.Groups[1].Value), 50, 100);
        Assert.InRange(DateTimeOffset.Parse(stalled.Groups[2].Value), DateTimeOffset.UtcNow - TimeSpan.FromMinutes(5), DateTimeOffset.UtcNow);

        gate.Open();
        await received.WaitForAsync(r => r.Count == 100);
        await Eventually.HoldsAsync(async () => (report = await health.CheckHealthAsync()).Status == HealthStatus.Healthy,
            () => $"Readiness stayed {report?.Status} after the consumer resumed: {report?.Entries["kafka"].Description}");
        Assert.Equal("partitions [0], 0 in flight", report!.Entries["kafka"].Data[$"{Topics.RawEvents}/stall"]);
    }
}
