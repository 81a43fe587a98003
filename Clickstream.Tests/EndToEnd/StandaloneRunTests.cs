using Clickstream.Tests.Infrastructure;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Clickstream.Contracts;
using Clickstream.Tests.Support;
using Confluent.Kafka;
using Npgsql;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Clickstream.Consumers.Storage;

namespace Clickstream.Tests.EndToEnd;

/// <summary>The whole pipeline in one process, started as a user starts it, driven over HTTP and plain Kafka.</summary>
public sealed partial class StandaloneRunTests : IAsyncLifetime
{
    private readonly string _dataFolder = Path.Combine("/var/tmp", $"clickstream-e2e-{Guid.NewGuid():N}");
    private readonly int _postgresPort = StandaloneApp.FreePort();

    // No pooling: the server restarts with the app, and pooled connections would be dead. The password is the one the
    // app generated and keeps in its data folder.
    private string ConnectionString =>
        $"Host=127.0.0.1;Port={_postgresPort};Username=postgres;Password={EmbeddedPostgresCredentials.Read(Path.Combine(_dataFolder, "postgres"))!.Password};Database=clickstream;Pooling=false";

    [Fact]
    public async Task Events_posted_over_http_are_stored_once_survive_a_restart_and_events_from_a_plain_kafka_client_are_stored_too()
    {
        const int distinct = 18_000;
        var events = ClickEvents.Many(distinct);
        var duplicates = events.Take(2_000).ToList();

        await using (var app = await StandaloneApp.StartAsync(_dataFolder, _postgresPort))
        {
            using var client = new HttpClient { BaseAddress = app.Address };
            // Singles, then batches of 100, then the duplicates again as a client retrying would.
            await Parallel.ForEachAsync(events.Take(1_000), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (e, ct) =>
                await PostUntilAcceptedAsync(client, "/events", e));
            await Parallel.ForEachAsync(events.Skip(1_000).Chunk(100).Concat(duplicates.Chunk(100)), new ParallelOptions { MaxDegreeOfParallelism = 8 },
                async (batch, ct) => await PostUntilAcceptedAsync(client, "/events/batch", batch));

            await WaitForRowsAsync(distinct);
            await AssertStoredAsSentAsync(events);
            // The psql command the app prints, run as printed.
            var printed = PsqlLine().Match(app.Output);
            Assert.True(printed.Success, app.Output);
            var psql = await ChildProcessOutcomeAsync(printed.Groups[1].Value);
            Assert.True(psql.ExitCode == 0, psql.Output);
            Assert.Contains(distinct.ToString(), psql.Output);

            Assert.Equal(0, await app.InterruptAsync());
            Assert.Contains("Embedded Kafka broker started: bootstrap.servers=", app.Output);
            // The consumers finish, store and commit their work before PostgreSQL and the broker go away.
            AssertInOrder(app.Output, "Application is shutting down", "stopped (completed work committed)", "Bus stopped",
                "Embedded PostgreSQL stopped", "Embedded Kafka broker stopped");
        }

        await using (var restarted = await StandaloneApp.StartAsync(_dataFolder, _postgresPort))
        {
            Assert.Equal(distinct, await CountRowsAsync());

            var seed = ClickEvents.Create(distinct + 1);
            using (var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = restarted.BootstrapServers }).Build())
            {
                // The seed's format, written by hand as a non-.NET producer would.
                var json = $$"""{"event_id":"{{seed.EventId}}","user_id":{{seed.UserId}},"event_type":"{{seed.EventType}}","page":"{{seed.Page}}","event_time":"{{seed.EventTime:O}}"}""";
                await producer.ProduceAsync(Topics.RawEvents, new Message<string, string> { Key = seed.UserId.ToString(), Value = json });
            }
            await WaitForRowsAsync(distinct + 1);
            Assert.Equal(0, await restarted.InterruptAsync());
        }
    }

    [Fact]
    public async Task When_storage_stalls_the_api_refuses_events_instead_of_letting_the_embedded_broker_drop_accepted_ones()
    {
        await using var app = await StandaloneApp.StartAsync(_dataFolder, _postgresPort);
        using var client = new HttpClient { BaseAddress = app.Address };
        var events = ClickEvents.Many(60_000);
        var accepted = 0;
        HttpResponseMessage? refused = null;

        await using (var blocker = new NpgsqlConnection(ConnectionString))
        {
            // The consumers' COPY waits behind this lock: they stop fetching once their in-flight limit is reached.
            await blocker.OpenAsync();
            await using var transaction = await blocker.BeginTransactionAsync();
            await using (var lockTable = new NpgsqlCommand("LOCK TABLE events IN ACCESS EXCLUSIVE MODE", blocker, transaction))
            {
                await lockTable.ExecuteNonQueryAsync();
            }

            // 60,000 events are about 5.5 MB per partition, past what the embedded broker keeps: without the bound,
            // every one of them would be accepted and the oldest dropped.
            foreach (var batch in events.Chunk(100))
            {
                var response = await client.PostAsJsonAsync("/events/batch", batch);
                if (response.StatusCode != HttpStatusCode.Accepted)
                {
                    refused = response;
                    break;
                }
                accepted += batch.Length;
            }

            Assert.NotNull(refused);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal("1", refused.Headers.GetValues("Retry-After").Single());
            var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("The pipeline is behind.", problem.GetProperty("title").GetString());
            Assert.Contains("behind on a partition", problem.GetProperty("detail").GetString());
            Assert.InRange(accepted, 10_000, 50_000);
            await using (var count = new NpgsqlCommand("SELECT count(*) FROM events", blocker, transaction))
            {
                Assert.Equal(0L, await count.ExecuteScalarAsync());
            }
            await transaction.RollbackAsync();
        }

        // Every accepted event is stored, none of the refused ones, and once the consumers caught up the API accepts again.
        await WaitForRowsAsync(accepted);
        var retry = events.Skip(accepted).Take(100).ToArray();
        await PostUntilAcceptedAsync(client, "/events/batch", retry);
        await WaitForRowsAsync(accepted + retry.Length);
        await AssertStoredAsSentAsync(events.Take(accepted + retry.Length).ToList());

        Assert.Equal(0, await app.InterruptAsync());
        Assert.Contains("refusing new events with 503", app.Output);
        Assert.Contains("accepting events again", app.Output);
        Assert.DoesNotContain("Offset out of range", app.Output, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Stopped_while_it_still_starts_its_embedded_servers_the_app_exits_0_within_the_shutdown_timeout_and_leaves_nothing_half_made()
    {
        var shutdownTimeout = TimeSpan.FromSeconds(12);
        var postgresFolder = Path.Combine(_dataFolder, "postgres");
        var app = StandaloneApp.Launch(_dataFolder, _postgresPort, new Dictionary<string, string>
        {
            ["Ingestion__ShutdownTimeout"] = shutdownTimeout.ToString(),
            ["Ingestion__DrainTimeout"] = "00:00:03",
        });
        await using (app)
        {
            // initdb is running: the longest part of a first start.
            await app.WaitForOutputAsync("Initializing a PostgreSQL data folder");

            var (exitCode, took) = await app.StopWithAsync(15);

            Assert.True(exitCode == 0, $"exit code {exitCode}:\n{app.Output}");
            // The bound plus a generous margin for a loaded machine: not a speed claim.
            Assert.True(took < shutdownTimeout + TimeSpan.FromSeconds(20), $"The stop took {took}:\n{app.Output}");
            Assert.Contains("Stopped before the start completed", app.Output);
            Assert.Empty(LinuxProcesses.Mentioning(postgresFolder));
        }

        // The next start finds no half-made cluster: it initializes the folder and runs.
        await using var again = await StandaloneApp.StartAsync(_dataFolder, _postgresPort);
        Assert.Equal(0, await CountRowsAsync());
        Assert.Equal(0, await again.InterruptAsync());
    }

    private static async Task<(int ExitCode, string Output)> ChildProcessOutcomeAsync(string shellCommand)
    {
        using var shell = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", shellCommand]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = shell.StandardOutput.ReadToEndAsync();
        var error = shell.StandardError.ReadToEndAsync();
        await shell.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        return (shell.ExitCode, await output + await error);
    }

    [GeneratedRegex(@"Events are stored in PostgreSQL: (.+)$", RegexOptions.Multiline)]
    private static partial Regex PsqlLine();

    private static void AssertInOrder(string output, params string[] lines)
    {
        var positions = lines.Select(line => (Line: line, At: output.IndexOf(line, StringComparison.Ordinal))).ToList();
        Assert.All(positions, p => Assert.True(p.At >= 0, $"\"{p.Line}\" is not in the output:\n{output}"));
        Assert.Equal(positions.OrderBy(p => p.At).Select(p => p.Line), lines);
    }

    // As a client is told to: a 503 (the consumers behind, say) means send the same request again after Retry-After.
    private static async Task PostUntilAcceptedAsync<T>(HttpClient client, string path, T body)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        HttpResponseMessage response;
        while ((response = await client.PostAsJsonAsync(path, body)).StatusCode == HttpStatusCode.ServiceUnavailable && DateTime.UtcNow < deadline)
        {
            await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1));
        }
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    private async Task WaitForRowsAsync(int expected)
    {
        long rows = 0;
        await Eventually.HoldsAsync(async () => (rows = await CountRowsAsync()) >= expected,
            () => $"Only {rows} of {expected} rows were stored.", TimeSpan.FromMinutes(3));
        Assert.Equal(expected, rows);
    }

    private async Task<long> CountRowsAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM events", connection);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    private async Task AssertStoredAsSentAsync(IReadOnlyList<ClickEvent> sent)
    {
        var byId = sent.ToDictionary(e => e.EventId);
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var select = new NpgsqlCommand(
            "SELECT event_id, user_id, event_type, page, event_time, received_at, session_id, referrer, properties::text FROM events", connection);
        await using var reader = await select.ExecuteReaderAsync();
        var seen = 0;
        while (await reader.ReadAsync())
        {
            var e = byId[reader.GetGuid(0)];
            Assert.Equal(e.UserId, reader.GetInt64(1));
            Assert.Equal(e.EventType, reader.GetString(2));
            Assert.Equal(e.Page, reader.GetString(3));
            Assert.Equal(e.EventTime.UtcDateTime, reader.GetDateTime(4));
            Assert.False(reader.IsDBNull(5), "received_at is stamped by the API");
            Assert.Equal(e.SessionId, reader.IsDBNull(6) ? null : reader.GetString(6));
            Assert.Equal(e.Referrer, reader.IsDBNull(7) ? null : reader.GetString(7));
            if (e.Properties is { } properties)
            {
                Assert.True(JsonElement.DeepEquals(properties, JsonDocument.Parse(reader.GetString(8)).RootElement));
            }
            else
            {
                Assert.True(reader.IsDBNull(8));
            }
            seen++;
        }
        Assert.Equal(sent.Count, seen);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        if (Directory.Exists(_dataFolder))
        {
            Directory.Delete(_dataFolder, recursive: true);
        }
        return Task.CompletedTask;
    }
}
