using Clickstream.Tests.Infrastructure;
using Clickstream.Contracts;
using Clickstream.Kafka;
using Clickstream.Kafka.Embedded;
using Clickstream.Kafka.Producing;
using Clickstream.Tests.Kafka;
using Clickstream.Tests.Support;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Clickstream.Tests.Rider;

public sealed class RiderLifecycleTests
{
    [Fact]
    public async Task Readiness_turns_healthy_once_the_topic_endpoint_has_joined_its_group()
    {
        await using var broker = StartBroker();
        await using var host = await StartAsync(broker, "ready", new Received(),
            services => services.AddHealthChecks().AddKafkaRider());
        var health = host.Services.GetRequiredService<HealthCheckService>();

        HealthReport? report = null;
        await Eventually.HoldsAsync(async () => (report = await health.CheckHealthAsync()).Status == HealthStatus.Healthy,
            () => $"Readiness stayed {report?.Status}: {report?.Entries["kafka"].Description}");
        Assert.Equal("partitions [0,1,2], 0 in flight", report!.Entries["kafka"].Data[$"{Topics.RawEvents}/ready"]);
    }

    [Fact]
    public async Task Graceful_stop_commits_every_message_it_consumed()
    {
        const int count = 5_000;
        await using var broker = StartBroker();
        var received = new Received();
        var host = await StartAsync(broker, "graceful", received);
        await host.GetScoped<ITopicProducer<ClickEvent>>().ProduceManyAsync(ClickEvents.Many(count));
        await received.WaitForAsync(r => r.Count == count);

        await host.DisposeAsync();

        var committed = KafkaTestClients.CommittedOffsets(broker.BootstrapServers, "graceful", Topics.RawEvents, 3);
        Assert.Equal(KafkaTestClients.EndOffsets(broker.BootstrapServers, Topics.RawEvents, 3), committed);
    }

    [Fact]
    public async Task Settings_that_cannot_work_fail_the_start_with_a_clear_message()
    {
        await using var broker = StartBroker();

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => RiderHost.StartAsync(broker.BootstrapServers,
            rider => rider.AddConsumer<RecordingConsumer>(),
            (context, k) => k.TopicEndpoint<ClickEvent>(Topics.RawEvents, "invalid", e =>
            {
                e.Settings.CheckpointMessageCount = 0;
                e.Settings.DeadLetterTopic = Topics.RawEvents;
                e.ConfigureConsumer<RecordingConsumer>(context);
            }),
            services => services.AddSingleton(new Received())));

        var message = Flatten(failure);
        Assert.Contains("CheckpointMessageCount must be at least 1", message);
        Assert.Contains("DeadLetterTopic must be set and differ from the topic", message);
    }

    [Fact]
    public async Task A_StallAfter_no_longer_than_the_checkpoint_interval_or_a_batch_time_limit_fails_the_start()
    {
        await using var broker = StartBroker();

        var tooShortForCommits = await Assert.ThrowsAnyAsync<Exception>(() => StartBatchAsync(broker, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)));
        Assert.Contains("StallAfter (00:00:01) must exceed CheckpointInterval (00:00:01)", Flatten(tooShortForCommits));

        // The batch consumer's TimeLimit is 1 s (RecordingBatchConsumerDefinition).
        var tooShortForBatches = await Assert.ThrowsAnyAsync<Exception>(() => StartBatchAsync(broker, TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(100)));
        Assert.Contains("StallAfter (00:00:00.5000000) must exceed the batch consumer's TimeLimit (00:00:01)", Flatten(tooShortForBatches));
    }

    private static Task<RiderHost> StartBatchAsync(EmbeddedKafkaBroker broker, TimeSpan stallAfter, TimeSpan checkpointInterval) =>
        RiderHost.StartAsync(broker.BootstrapServers,
            rider => rider.AddConsumer<RecordingBatchConsumer, RecordingBatchConsumerDefinition>(),
            (context, k) => k.TopicEndpoint<ClickEvent>(Topics.RawEvents, "stall-settings", e =>
            {
                e.Settings.StallAfter = stallAfter;
                e.Settings.CheckpointInterval = checkpointInterval;
                e.ConfigureConsumer<RecordingBatchConsumer>(context);
            }),
            services => services.AddSingleton(new Received()));

    private static string Flatten(Exception e) => e.InnerException is null ? e.Message : e.Message + " " + Flatten(e.InnerException);

    private static EmbeddedKafkaBroker StartBroker() =>
        EmbeddedKafkaBroker.Start(new() { Topics = { [Topics.RawEvents] = 3, [Topics.RawEventsDeadLetter] = 1 } });

    private static Task<RiderHost> StartAsync(EmbeddedKafkaBroker broker, string group, Received received, Action<IServiceCollection>? services = null) =>
        RiderHost.StartAsync(broker.BootstrapServers,
            rider =>
            {
                rider.AddConsumer<RecordingConsumer>();
                rider.AddProducer<ClickEvent>(Topics.RawEvents, p => p.Key = e => e.UserId.ToString());
            },
            (context, k) => k.TopicEndpoint<ClickEvent>(Topics.RawEvents, group, e => e.ConfigureConsumer<RecordingConsumer>(context)),
            s =>
            {
                s.AddSingleton(received);
                services?.Invoke(s);
            });
}
