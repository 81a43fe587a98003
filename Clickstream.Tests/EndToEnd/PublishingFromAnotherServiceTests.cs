using Clickstream.Contracts;
using Clickstream.Kafka;
using Clickstream.Kafka.Embedded;
using Clickstream.Kafka.Producing;
using Clickstream.Tests.Consumers;
using Clickstream.Tests.Infrastructure;
using Clickstream.Tests.Support;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Clickstream.Tests.EndToEnd;

/// <summary>Another .NET service publishes ClickEvents with the two packages only, no API involved.</summary>
public sealed class PublishingFromAnotherServiceTests
{
    [Fact]
    public async Task A_separate_host_publishing_through_ITopicProducer_gets_its_events_stored()
    {
        await using var broker = EmbeddedKafkaBroker.Start(new() { Topics = { [Topics.RawEvents] = 3, [Topics.RawEventsDeadLetter] = 1 } });
        var database = await TestPostgres.CreateDatabaseAsync();
        using var consumers = await ConsumersHost.StartAsync(broker.BootstrapServers, database);

        // The lines the README shows another service: its own service collection, the contract and the rider.
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMassTransit(x =>
        {
            x.UsingInMemory();
            x.AddRider(rider =>
            {
                rider.AddProducer<ClickEvent>(Topics.RawEvents, p => p.Key = e => e.UserId.ToString());
                rider.UsingKafka((_, k) => k.Host(broker.BootstrapServers));
            });
        });
        await using var provider = services.BuildServiceProvider();
        var bus = provider.GetRequiredService<IBusControl>();
        await bus.StartAsync();
        try
        {
            var events = ClickEvents.Many(1_000);
            using (var scope = provider.CreateScope())
            {
                await scope.ServiceProvider.GetRequiredService<ITopicProducer<ClickEvent>>().ProduceManyAsync(events);
            }

            long stored = 0;
            await Eventually.HoldsAsync(async () => (stored = await CountAsync(database)) >= events.Count,
                () => $"Only {stored} of {events.Count} events were stored.");
            Assert.Equal(events.Count, stored);
        }
        finally
        {
            await bus.StopAsync();
            await consumers.StopAsync();
        }
    }

    private static async Task<long> CountAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM events", connection);
        return (long)(await count.ExecuteScalarAsync())!;
    }
}
