using Clickstream.Contracts;
using Clickstream.Kafka.Embedded;
using Clickstream.Tests.Consumers;
using Clickstream.Tests.Infrastructure;
using Npgsql;

namespace Clickstream.Tests.ServiceDefaults;

/// <summary>The worker process reads the .env file of its working directory, as the original service did.</summary>
public sealed class DotEnvWorkerTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("clickstream-worker-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task A_worker_configured_only_by_a_dotenv_file_with_the_original_names_becomes_ready()
    {
        await using var broker = EmbeddedKafkaBroker.Start(new() { Topics = { [Topics.RawEvents] = 1, [Topics.RawEventsDeadLetter] = 1 } });
        var database = new NpgsqlConnectionStringBuilder(await TestPostgres.CreateDatabaseAsync());
        File.WriteAllText(Path.Combine(_folder, ".env"), $"""
            # The original service's .env
            KAFKA_BOOTSTRAP_SERVERS={broker.BootstrapServers}
            DB_HOST={database.Host}
            DB_PORT={database.Port}
            DB_NAME={database.Database}
            DB_USER={database.Username}
            DB_PASS='{database.Password}'
            # Invalid, but a real environment variable wins over the file.
            Ingestion__MessageLimit=0
            """);

        await using var worker = ServiceProcess.Start("Clickstream.Consumers", "The worker",
            new Dictionary<string, string> { ["Ingestion__MessageLimit"] = "500", ["Kafka__ConsumerSettings__session.timeout.ms"] = "6000" }, _folder);

        await worker.WaitUntilReadyAsync();
        await worker.StopCleanlyAsync();
    }

    [Fact]
    public async Task A_malformed_dotenv_line_fails_the_start_with_the_file_and_line_in_one_message()
    {
        var dotEnv = Path.Combine(_folder, ".env");
        File.WriteAllText(dotEnv, "KAFKA_TOPIC=raw_events\nDB_PASS=\"never closed\n");

        await using var worker = ServiceProcess.Start("Clickstream.Consumers", "The worker", new Dictionary<string, string>(), _folder);

        Assert.Equal(1, await worker.WaitForExitAsync());
        Assert.Contains($"Clickstream could not start: {dotEnv}, line 2: the value's \" quote is never closed", worker.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", worker.Output, StringComparison.Ordinal);
    }
}
