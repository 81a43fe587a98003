using System.Net;
using System.Net.Sockets;
using Clickstream.Consumers.Storage;
using Clickstream.Contracts;
using Clickstream.Kafka.Embedded;
using Clickstream.Tests.Consumers;
using Clickstream.Tests.Infrastructure;
using Clickstream.Tests.Support;

namespace Clickstream.Tests.EndToEnd;

/// <summary>The worker process stopped by a signal in the states where a stop used to hang or crash: starting, and in a database outage.</summary>
public sealed class WorkerStopTests
{
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(12);

    // What a process needs past the bound to end and be reaped on a loaded machine: generous, and not a speed claim.
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData(ServiceProcess.SigTerm)]
    [InlineData(ServiceProcess.SigInt)]
    public async Task A_worker_stopped_while_its_database_is_unreachable_exits_0_within_the_shutdown_timeout(int signal)
    {
        await using var broker = EmbeddedKafkaBroker.Start(new() { Topics = { [Topics.RawEvents] = PipelineProbe.Partitions, [Topics.RawEventsDeadLetter] = 1 } });
        // Nothing listens on this port: the worker's start waits for the database.
        var unreachable = $"Host=127.0.0.1;Port={FreeLoopbackPort()};Username=postgres;Password=unused;Database=clickstream;Timeout=2";
        await using var worker = ServiceProcess.Start("Clickstream.Consumers", "The worker", Settings(broker.BootstrapServers, unreachable));
        await worker.WaitForOutputAsync("Applying the events schema failed transiently");

        var (exitCode, took) = await worker.StopWithAsync(signal);

        Assert.True(exitCode == 0, $"exit code {exitCode}:\n{worker.Output}");
        Assert.True(took < ShutdownTimeout + Margin, $"The stop took {took}, past {ShutdownTimeout} + {Margin}:\n{worker.Output}");
        Assert.Contains("Stopped before the start completed", worker.Output);
        Assert.DoesNotContain("Unhandled exception", worker.Output);
    }

    [Fact]
    public async Task A_worker_stopped_during_a_database_outage_exits_0_within_the_shutdown_timeout_and_commits_nothing_it_did_not_store()
    {
        // A server of its own, on a fixed port and a kept folder, so it can be stopped and started again as it was.
        var folder = Path.Combine(Path.GetTempPath(), $"clickstream-stop-{Guid.NewGuid():N}");
        var options = TestPostgres.ThrowawayServerOptions with { DataDirectory = folder, Port = FreeLoopbackPort() };
        var postgres = await EmbeddedPostgres.StartAsync(options);
        try
        {
            await using var broker = EmbeddedKafkaBroker.Start(new() { Topics = { [Topics.RawEvents] = PipelineProbe.Partitions, [Topics.RawEventsDeadLetter] = 1 } });
            await EventsSchema.ApplyAsync(postgres.ConnectionString);
            await using var db = StoreFactory.Create(postgres.ConnectionString);
            await using var worker = ServiceProcess.Start("Clickstream.Consumers", "The worker", Settings(broker.BootstrapServers, postgres.ConnectionString));

            var before = ClickEvents.Many(1_000);
            var landed = await PipelineProbe.ProduceAsync(broker.BootstrapServers, before);
            await PipelineProbe.WaitForRowsAsync(db, before.Count, Eventually.DefaultFailsafe);
            await PipelineProbe.WaitUntilCommittedToTheEndAsync(broker.BootstrapServers);
            var committedBeforeOutage = PipelineProbe.Committed(broker.BootstrapServers);

            await postgres.DisposeAsync();
            var during = ClickEvents.Many(1_000).Select(e => e with { EventId = Guid.NewGuid() }).ToList();
            foreach (var (id, where) in await PipelineProbe.ProduceAsync(broker.BootstrapServers, during))
            {
                landed[id] = where;
            }
            // The worker holds batches it cannot store, retrying: the state a stop used to wait on without end.
            await worker.WaitForOutputAsync("failed transiently");

            var (exitCode, took) = await worker.StopWithAsync(ServiceProcess.SigTerm);

            Assert.True(exitCode == 0, $"exit code {exitCode}:\n{worker.Output}");
            Assert.True(took < ShutdownTimeout + Margin, $"The stop took {took}, past {ShutdownTimeout} + {Margin}:\n{worker.Output}");
            var committed = PipelineProbe.Committed(broker.BootstrapServers);
            postgres = await EmbeddedPostgres.StartAsync(options);
            db.DataSource.Clear(); // the test's pooled connections died with the server
            var stored = await db.StoredIdsAsync();
            Assert.Equal(before.Select(e => e.EventId).Order(), stored.Order());
            Assert.Equal(committedBeforeOutage.OrderBy(c => c.Key), committed.OrderBy(c => c.Key));
            foreach (var (id, where) in landed)
            {
                if (where.Offset.Value < committed[where.Partition.Value])
                {
                    Assert.True(stored.Contains(id),
                        $"Partition {where.Partition.Value} was committed to {committed[where.Partition.Value]} but offset {where.Offset.Value} was not stored.");
                }
            }
        }
        finally
        {
            await postgres.DisposeAsync();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static Dictionary<string, string> Settings(string bootstrapServers, string connectionString) => new()
    {
        ["Kafka__BootstrapServers"] = bootstrapServers,
        ["Kafka__ConsumerSettings__session.timeout.ms"] = "6000",
        ["Kafka__ConsumerSettings__heartbeat.interval.ms"] = "500",
        ["ConnectionStrings__Events"] = connectionString,
        ["EventStore__RetryMaxDelay"] = "00:00:00.500",
        ["Ingestion__MessageLimit"] = "200",
        ["Ingestion__TimeLimit"] = "00:00:00.200",
        ["Ingestion__DrainTimeout"] = "00:00:03",
        ["Ingestion__ShutdownTimeout"] = ShutdownTimeout.ToString(),
    };

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
