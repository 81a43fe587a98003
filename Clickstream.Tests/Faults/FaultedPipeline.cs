using Clickstream.Tests.Infrastructure;
using System.Net;
using System.Net.Http.Json;
using Clickstream.Contracts;
using Clickstream.Kafka.Embedded;
using Clickstream.Tests.Consumers;
using Clickstream.Tests.Support;

namespace Clickstream.Tests.Faults;

/// <summary>
/// The pipeline with every part where a test can break it: the broker and PostgreSQL belong to the test process (so it
/// can take the broker down, crash the server), the API and the workers are child processes (so it can kill them).
/// Disposing kills whatever still runs and deletes the server's folder.
/// </summary>
internal sealed class FaultedPipeline : IAsyncDisposable
{
    public const int Partitions = 3;

    // Short enough that a scenario's rebalances and retries take seconds, not minutes; valid together (the worker checks).
    public static readonly IReadOnlyDictionary<string, string> WorkerSettings = new Dictionary<string, string>
    {
        // The embedded broker completes a rebalance after a member left only once session.timeout.ms - 1 s passed.
        ["Kafka__ConsumerSettings__session.timeout.ms"] = "6000",
        ["Kafka__ConsumerSettings__heartbeat.interval.ms"] = "500",
        ["EventStore__RetryMaxDelay"] = "00:00:00.500",
        ["Ingestion__MessageLimit"] = "200",
        ["Ingestion__TimeLimit"] = "00:00:00.200",
        // A revocation during a database outage waits this long for batches that cannot finish: keep rebalances quick.
        ["Ingestion__DrainTimeout"] = "00:00:02",
        ["Ingestion__ShutdownTimeout"] = "00:00:10",
        // What failure messages show is the last lines of output: keep the endpoint's life cycle, warnings and errors
        // there, not a line per batch or per readiness poll.
        ["Logging__LogLevel__Clickstream.Consumers.Consuming"] = "Warning",
        ["Logging__LogLevel__Microsoft.Extensions.Diagnostics.HealthChecks"] = "Critical",
    };

    public static readonly IReadOnlyDictionary<string, string> ApiSettings = new Dictionary<string, string>
    {
        ["Standalone__Enabled"] = "false",
        ["Api__Publishing__Timeout"] = "00:00:02",
        ["Api__Publishing__RetryAfter"] = "00:00:01",
        ["Api__Readiness__ProbeInterval"] = "00:00:00.250",
        ["Api__Readiness__ProbeTimeout"] = "00:00:01",
        ["Logging__LogLevel__Microsoft.Extensions.Diagnostics.HealthChecks"] = "Critical",
    };

    private readonly List<ServiceProcess> _processes = [];
    private int _started;

    private FaultedPipeline(EmbeddedKafkaBroker broker, RestartablePostgres postgres)
    {
        Broker = broker;
        Postgres = postgres;
    }

    public EmbeddedKafkaBroker Broker { get; }

    public RestartablePostgres Postgres { get; }

    public static async Task<FaultedPipeline> StartAsync()
    {
        var broker = EmbeddedKafkaBroker.Start(new() { Topics = { [Topics.RawEvents] = Partitions, [Topics.RawEventsDeadLetter] = 1 } });
        try
        {
            return new FaultedPipeline(broker, await RestartablePostgres.StartAsync());
        }
        catch
        {
            await broker.DisposeAsync();
            throw;
        }
    }

    /// <summary>A worker (<c>Clickstream.Consumers</c>) in the group event_ingestors; not waited for.</summary>
    public ServiceProcess StartWorker() => Start("Clickstream.Consumers", "worker", WorkerSettings);

    /// <summary>The API (<c>Clickstream.Api</c>) publishing to the broker: it only ingests, the workers store.</summary>
    public ServiceProcess StartApi() => Start("Clickstream.Api", "api", ApiSettings);

    /// <summary>Starts a worker and waits until it joined the group and reaches the database.</summary>
    public async Task<ServiceProcess> StartReadyWorkerAsync()
    {
        var worker = StartWorker();
        await worker.WaitUntilReadyAsync();
        return worker;
    }

    /// <summary>
    /// After the faults: a few new events (over the API when there is one, else straight to the broker) are stored too.
    /// Returns their ids, acknowledged like the others, for the final exactly-once check.
    /// </summary>
    public async Task<IReadOnlyCollection<Guid>> AssertNewEventsAreStoredAsync(ServiceProcess? api = null)
    {
        var events = Enumerable.Range(0, 50).Select(i => ClickEvents.Create(1_000_000 + i)).ToList();
        if (api is null)
        {
            await PipelineProbe.ProduceAsync(Broker.BootstrapServers, events);
        }
        else
        {
            using var client = new HttpClient { BaseAddress = api.Address, Timeout = TimeSpan.FromSeconds(30) };
            using var response = await client.PostAsJsonAsync("/events/batch", events);
            Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"New events after the faults got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
        var ids = events.Select(e => e.EventId).ToList();
        await StoredRows.WaitUntilStoredAsync(Postgres.ConnectionString, ids, "new events sent after the faults", Diagnostics);
        return ids;
    }

    /// <summary>The last lines of every process started, for failure messages.</summary>
    public string Diagnostics() =>
        string.Join("\n", _processes.Select(p => $"--- {p.Name} ({(p.HasExited ? "exited" : "running")}):\n{p.Tail}"));

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }
        await Broker.DisposeAsync();
        await Postgres.DisposeAsync();
    }

    private ServiceProcess Start(string project, string role, IReadOnlyDictionary<string, string> settings)
    {
        var all = new Dictionary<string, string>(settings)
        {
            ["Kafka__BootstrapServers"] = Broker.BootstrapServers,
            ["ConnectionStrings__Events"] = Postgres.ConnectionString,
        };
        var process = ServiceProcess.Start(project, $"{role} #{++_started}", all);
        _processes.Add(process);
        return process;
    }
}
