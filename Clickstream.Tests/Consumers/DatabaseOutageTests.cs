using System.Net;
using System.Net.Sockets;
using Clickstream.Consumers.Storage;
using Clickstream.Contracts;
using Clickstream.Kafka.Embedded;
using Clickstream.Tests.Infrastructure;
using Clickstream.Tests.Support;
using Confluent.Kafka;

namespace Clickstream.Tests.Consumers;

public sealed class DatabaseOutageTests
{
    [Fact]
    public async Task PostgreSQL_stopping_mid_stream_commits_no_offset_past_stored_rows_and_once_back_every_event_is_stored_once()
    {
        // A server of its own, on a fixed port and a kept folder, so it can be stopped and started again as it was.
        var folder = Path.Combine(Path.GetTempPath(), $"clickstream-outage-{Guid.NewGuid():N}");
        var options = TestPostgres.ThrowawayServerOptions with { DataDirectory = folder, Port = FreeLoopbackPort() };
        var postgres = await EmbeddedPostgres.StartAsync(options);
        try
        {
            await using var broker = EmbeddedKafkaBroker.Start(new() { Topics = { [Topics.RawEvents] = PipelineProbe.Partitions, [Topics.RawEventsDeadLetter] = 1 } });
            await using var db = StoreFactory.Create(postgres.ConnectionString);
            // The worker applies init.sql itself: the database starts empty.
            using var host = await ConsumersHost.StartAsync(broker.BootstrapServers, postgres.ConnectionString,
                new Dictionary<string, string?> { ["Ingestion:MessageLimit"] = "200", ["Ingestion:TimeLimit"] = "00:00:00.200" });

            // A steady stream: 30 rounds of 500 events, 100 ms apart; the database stops on the way.
            var events = ClickEvents.Many(15_000);
            var landed = new Dictionary<Guid, TopicPartitionOffset>();
            var stream = Task.Run(async () =>
            {
                using var producer = PipelineProbe.Producer(broker.BootstrapServers);
                foreach (var round in events.Chunk(500))
                {
                    foreach (var (id, where) in await PipelineProbe.ProduceAsync(producer, round))
                    {
                        lock (landed) landed[id] = where;
                    }
                    await Task.Delay(100);
                }
            });
            await PipelineProbe.WaitForRowsAsync(db, 2_000, TimeSpan.FromSeconds(30));
            await postgres.DisposeAsync();

            // While it is down, sample what the group commits: every event below a committed offset must be stored.
            var samples = new List<IReadOnlyDictionary<int, long>>();
            var downUntil = DateTime.UtcNow + TimeSpan.FromSeconds(4);
            while (DateTime.UtcNow < downUntil)
            {
                samples.Add(PipelineProbe.Committed(broker.BootstrapServers));
                await Task.Delay(250);
            }
            await stream;
            samples.Add(PipelineProbe.Committed(broker.BootstrapServers));

            var restarted = DateTimeOffset.UtcNow;
            postgres = await EmbeddedPostgres.StartAsync(options);
            db.DataSource.Clear(); // the test's own pooled connections died with the server
            // Rows written before the outage carry a stored_at before the restart; the worker writes the rest after it.
            var storedBefore = await db.StoredIdsAsync($"stored_at < '{restarted:O}'::timestamptz");
            Assert.InRange(storedBefore.Count, 2_000, events.Count - 1);
            foreach (var committed in samples)
            {
                foreach (var (id, where) in landed)
                {
                    if (where.Offset.Value < committed[where.Partition.Value])
                    {
                        Assert.True(storedBefore.Contains(id),
                            $"Partition {where.Partition.Value} was committed to {committed[where.Partition.Value]} but offset {where.Offset.Value} was not stored.");
                    }
                }
            }

            await PipelineProbe.WaitForRowsAsync(db, events.Count, TimeSpan.FromSeconds(60));
            await PipelineProbe.WaitUntilCommittedToTheEndAsync(broker.BootstrapServers);
            Assert.Equal(events.Count, await db.CountRowsAsync());
            Assert.Equal(events.Select(e => e.EventId).Order(), (await db.StoredIdsAsync()).Order());
            await host.StopAsync();
        }
        finally
        {
            await postgres.DisposeAsync();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
